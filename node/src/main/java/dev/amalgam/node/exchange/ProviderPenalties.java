package dev.amalgam.node.exchange;

import dev.amalgam.node.home.NodeStore;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Providers that served a block failing verification, as recorded in the node database: every fetch
 * by id (experts and summaries) records them, and for the penalty time leaves them out of later
 * fetches unless no other peer provides the id.
 */
final class ProviderPenalties {
  private final NodeStore store;
  private final Duration penalty;

  /**
   * @param penalty how long a peer that served a corrupt block is left out; zero: never left out
   */
  ProviderPenalties(NodeStore store, Duration penalty) {
    this.store = store;
    this.penalty = penalty;
  }

  /**
   * The providers not penalized within the penalty time; the penalized ones (named in {@code
   * skipped}) only when no other peer provides the id.
   */
  List<PeerId> withoutPenalized(List<PeerId> providers, List<String> skipped) throws IOException {
    if (penalty.isZero()) {
      return providers;
    }
    Set<String> penalized = new HashSet<>();
    try {
      store
          .penalties(System.currentTimeMillis() - penalty.toMillis())
          .forEach(p -> penalized.add(p.peerId()));
    } catch (SQLException e) {
      throw new IOException("cannot read peer penalties: " + e.getMessage(), e);
    }
    List<PeerId> good = providers.stream().filter(p -> !penalized.contains(p.toString())).toList();
    if (good.isEmpty()) {
      return providers;
    }
    providers.stream()
        .filter(p -> penalized.contains(p.toString()))
        .forEach(p -> skipped.add(p.toString()));
    return good;
  }

  /** Records that {@code peer} served a block that failed verification. */
  void penalize(PeerId peer, String reason) {
    try {
      store.penalize(peer.toString(), reason, System.currentTimeMillis());
    } catch (SQLException e) {
      // the fetch goes on without the record; the peer is still dropped from this fetch
    }
  }
}
