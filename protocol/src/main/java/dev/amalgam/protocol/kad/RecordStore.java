package dev.amalgam.protocol.kad;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;

/** Value records in memory, bounded by count (least recently touched evicted), with an age cap. */
public final class RecordStore {
  private record Entry(KadRecord record, long expiresAt) {}

  private final int maxRecords;
  private final long ttlNanos;
  private final LinkedHashMap<ByteBuffer, Entry> records = new LinkedHashMap<>(16, 0.75f, true);

  public RecordStore(int maxRecords, Duration ttl) {
    this.maxRecords = maxRecords;
    this.ttlNanos = ttl.toNanos();
  }

  public synchronized void put(KadRecord record) {
    records.put(
        ByteBuffer.wrap(record.key().clone()), new Entry(record, System.nanoTime() + ttlNanos));
    if (records.size() > maxRecords) {
      Iterator<ByteBuffer> it = records.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  public synchronized KadRecord get(byte[] key) {
    Entry e = records.get(ByteBuffer.wrap(key));
    if (e == null) {
      return null;
    }
    if (e.expiresAt - System.nanoTime() < 0) {
      records.remove(ByteBuffer.wrap(key));
      return null;
    }
    return e.record;
  }

  public synchronized int size() {
    return records.size();
  }
}
