package dev.amalgam.protocol.pubsub;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Ids seen within the last {@code ttl}, bounded: the oldest are forgotten first. */
final class SeenCache {
  private final long ttlNanos;
  private final int maxEntries;
  private final LinkedHashMap<ByteBuffer, Long> seen = new LinkedHashMap<>();

  SeenCache(long ttlNanos, int maxEntries) {
    this.ttlNanos = ttlNanos;
    this.maxEntries = maxEntries;
  }

  /** Records the id; returns false when it was already there. */
  boolean add(byte[] id, long now) {
    ByteBuffer key = ByteBuffer.wrap(id);
    if (seen.containsKey(key)) {
      return false;
    }
    seen.put(key, now);
    if (seen.size() > maxEntries) {
      Iterator<ByteBuffer> it = seen.keySet().iterator();
      it.next();
      it.remove();
    }
    return true;
  }

  boolean contains(byte[] id) {
    return seen.containsKey(ByteBuffer.wrap(id));
  }

  void expire(long now) {
    Iterator<Map.Entry<ByteBuffer, Long>> it = seen.entrySet().iterator();
    while (it.hasNext() && now - it.next().getValue() > ttlNanos) {
      it.remove();
    }
  }

  int size() {
    return seen.size();
  }
}
