package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one remote peer wants from us, served highest priority first (oldest first among equals).
 * Not thread-safe: the owning {@link PeerSession} guards it.
 */
final class PeerLedger {
  record Want(WantEntry entry, long seq) {}

  private static final Comparator<Want> ORDER =
      Comparator.comparingInt((Want w) -> -w.entry().priority()).thenComparingLong(Want::seq);

  private final TreeSet<Want> queue = new TreeSet<>(ORDER);
  private final Map<Cid, Want> byCid = new HashMap<>();
  private long seq;

  void clear() {
    queue.clear();
    byCid.clear();
  }

  /** Adds or replaces the want for the entry's CID; a cancel removes it. */
  void apply(WantEntry e) {
    Want old = byCid.remove(e.cid());
    if (old != null) {
      queue.remove(old);
    }
    if (!e.cancel()) {
      Want w = new Want(e, seq++);
      byCid.put(e.cid(), w);
      queue.add(w);
    }
  }

  int size() {
    return byCid.size();
  }

  boolean isEmpty() {
    return byCid.isEmpty();
  }

  WantEntry peek() {
    return queue.isEmpty() ? null : queue.first().entry();
  }

  WantEntry poll() {
    Want w = queue.pollFirst();
    if (w == null) {
      return null;
    }
    byCid.remove(w.entry().cid());
    return w.entry();
  }

  Iterable<Want> wants() {
    return queue;
  }
}
