package dev.amalgam.protocol.kad;

import dev.amalgam.protocol.peer.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * k-buckets indexed by common prefix length with our own id. A full bucket refuses newcomers but
 * keeps them as replacements, promoted when a member is removed for failing to answer.
 */
public final class RoutingTable {
  private final KadId self;
  private final int k;
  private final List<LinkedHashMap<PeerId, KadId>> buckets = new ArrayList<>();
  private final List<Deque<PeerId>> replacements = new ArrayList<>();

  public RoutingTable(PeerId self, int k) {
    this.self = KadId.of(self.bytes());
    this.k = k;
    for (int i = 0; i <= KadId.BITS; i++) {
      buckets.add(new LinkedHashMap<>());
      replacements.add(new ArrayDeque<>());
    }
  }

  public KadId self() {
    return self;
  }

  /** Adds or refreshes a peer; returns whether it is in the table afterwards. */
  public synchronized boolean add(PeerId peer) {
    KadId id = KadId.of(peer.bytes());
    int cpl = self.commonPrefixLength(id);
    if (cpl == KadId.BITS) {
      return false;
    }
    LinkedHashMap<PeerId, KadId> bucket = buckets.get(cpl);
    if (bucket.containsKey(peer)) {
      bucket.remove(peer);
      bucket.put(peer, id);
      return true;
    }
    if (bucket.size() < k) {
      bucket.put(peer, id);
      return true;
    }
    Deque<PeerId> spare = replacements.get(cpl);
    spare.remove(peer);
    spare.addLast(peer);
    while (spare.size() > k) {
      spare.removeFirst();
    }
    return false;
  }

  public synchronized void remove(PeerId peer) {
    int cpl = self.commonPrefixLength(KadId.of(peer.bytes()));
    if (cpl == KadId.BITS) {
      return;
    }
    if (buckets.get(cpl).remove(peer) != null) {
      PeerId promoted = replacements.get(cpl).pollLast();
      if (promoted != null) {
        buckets.get(cpl).put(promoted, KadId.of(promoted.bytes()));
      }
    } else {
      replacements.get(cpl).remove(peer);
    }
  }

  public synchronized boolean contains(PeerId peer) {
    int cpl = self.commonPrefixLength(KadId.of(peer.bytes()));
    return cpl < KadId.BITS && buckets.get(cpl).containsKey(peer);
  }

  /** The {@code n} peers closest to {@code target}, nearest first. */
  public synchronized List<PeerId> closest(KadId target, int n) {
    List<Map.Entry<PeerId, KadId>> all = new ArrayList<>();
    for (LinkedHashMap<PeerId, KadId> b : buckets) {
      all.addAll(b.entrySet());
    }
    all.sort(Comparator.comparing(Map.Entry::getValue, target::compareDistance));
    return all.stream().limit(n).map(Map.Entry::getKey).toList();
  }

  public synchronized int size() {
    return buckets.stream().mapToInt(Map::size).sum();
  }

  public synchronized List<PeerId> peers() {
    List<PeerId> out = new ArrayList<>();
    buckets.forEach(b -> out.addAll(b.keySet()));
    return out;
  }

  /** Common prefix lengths of the buckets that hold at least one peer. */
  public synchronized List<Integer> nonEmptyBuckets() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < buckets.size(); i++) {
      if (!buckets.get(i).isEmpty()) {
        out.add(i);
      }
    }
    return out;
  }
}
