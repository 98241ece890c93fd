package dev.amalgam.protocol.kad;

import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Provider records in memory, bounded: at most {@code maxKeys} keys (least recently touched key
 * evicted first) and {@code maxPerKey} providers per key (oldest evicted). Entries expire.
 */
public final class ProviderStore {
  private record Entry(List<Multiaddr> addrs, long expiresAt) {}

  private final int maxKeys;
  private final int maxPerKey;
  private final long ttlNanos;
  private final LinkedHashMap<ByteBuffer, LinkedHashMap<PeerId, Entry>> byKey =
      new LinkedHashMap<>(16, 0.75f, true);

  public ProviderStore(int maxKeys, int maxPerKey, Duration ttl) {
    this.maxKeys = maxKeys;
    this.maxPerKey = maxPerKey;
    this.ttlNanos = ttl.toNanos();
  }

  public synchronized void add(byte[] key, PeerId provider, List<Multiaddr> addrs) {
    LinkedHashMap<PeerId, Entry> providers =
        byKey.computeIfAbsent(ByteBuffer.wrap(key.clone()), k -> new LinkedHashMap<>());
    providers.remove(provider);
    providers.put(provider, new Entry(List.copyOf(addrs), System.nanoTime() + ttlNanos));
    if (providers.size() > maxPerKey) {
      Iterator<PeerId> it = providers.keySet().iterator();
      it.next();
      it.remove();
    }
    if (byKey.size() > maxKeys) {
      Iterator<ByteBuffer> it = byKey.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  /** Unexpired providers of {@code key}, with the addresses they announced. */
  public synchronized List<KadPeer> get(byte[] key) {
    LinkedHashMap<PeerId, Entry> providers = byKey.get(ByteBuffer.wrap(key));
    if (providers == null) {
      return List.of();
    }
    long now = System.nanoTime();
    providers.values().removeIf(e -> e.expiresAt - now < 0);
    List<KadPeer> out = new ArrayList<>();
    providers.forEach((p, e) -> out.add(new KadPeer(p, e.addrs)));
    if (providers.isEmpty()) {
      byKey.remove(ByteBuffer.wrap(key));
    }
    return out;
  }

  /** Drops expired entries; run periodically. */
  public synchronized void expire() {
    long now = System.nanoTime();
    Iterator<Map.Entry<ByteBuffer, LinkedHashMap<PeerId, Entry>>> it = byKey.entrySet().iterator();
    while (it.hasNext()) {
      LinkedHashMap<PeerId, Entry> providers = it.next().getValue();
      providers.values().removeIf(e -> e.expiresAt - now < 0);
      if (providers.isEmpty()) {
        it.remove();
      }
    }
  }

  public synchronized int keyCount() {
    return byKey.size();
  }

  public synchronized int providerCount() {
    return byKey.values().stream().mapToInt(Map::size).sum();
  }
}
