package dev.amalgam.node.card;

import dev.amalgam.bootstrap.card.CardException;
import dev.amalgam.bootstrap.card.ExpertCard;
import dev.amalgam.node.home.NodeStore;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cards this node has accepted from other peers, one per (expert, peer), kept in memory and in
 * the node database so that a restarted node, or one whose bootstrap peers are gone, keeps its view
 * of the federation.
 */
public final class CardDirectory {
  private record Key(String expertId, String peerId) {}

  private final NodeStore store;
  private final Map<Key, ExpertCard.Signed> cards = new ConcurrentHashMap<>();

  public CardDirectory(NodeStore store) {
    this.store = store;
  }

  /** Loads the stored cards, skipping any that no longer verify. */
  public int load() throws SQLException {
    int n = 0;
    for (NodeStore.KnownCard k : store.knownCards()) {
      try {
        ExpertCard.Signed s = ExpertCard.open(k.card());
        cards.put(new Key(k.expertId(), k.peerId()), s);
        n++;
      } catch (CardException e) {
        // a card stored by an older version that no longer verifies: drop it from the view
      }
    }
    return n;
  }

  /** Whether exactly these signed bytes were accepted before (re-announcements of a known card). */
  public boolean knows(byte[] envelope) {
    ExpertCard.Signed s = null;
    try {
      s = ExpertCard.open(envelope);
    } catch (CardException e) {
      return false;
    }
    ExpertCard.Signed had = cards.get(keyOf(s.card()));
    return had != null && Arrays.equals(had.envelope(), envelope);
  }

  /** What {@link #offer} did with a card. */
  public enum Outcome {
    NEW,
    REFRESHED,
    UNCHANGED,
    OLDER
  }

  /** Keeps the card unless an equal or newer one from the same peer is held. */
  public Outcome offer(ExpertCard.Signed s) throws SQLException {
    Key key = keyOf(s.card());
    synchronized (cards) {
      ExpertCard.Signed had = cards.get(key);
      if (had != null && Arrays.equals(had.envelope(), s.envelope())) {
        return Outcome.UNCHANGED;
      }
      if (had != null && had.card().issuedAtMillis() > s.card().issuedAtMillis()) {
        return Outcome.OLDER;
      }
      cards.put(key, s);
      store.putKnownCard(key.expertId(), key.peerId(), s.envelope(), System.currentTimeMillis());
      return had == null ? Outcome.NEW : Outcome.REFRESHED;
    }
  }

  /** Unexpired cards, optionally of one family (a family id or part of it), by name then peer. */
  public List<ExpertCard> list(String familyPrefix, long nowMillis) {
    return cards.values().stream()
        .map(ExpertCard.Signed::card)
        .filter(c -> !c.expired(nowMillis))
        .filter(c -> familyPrefix == null || c.familyId().toString().contains(familyPrefix))
        .sorted(
            Comparator.comparing(ExpertCard::name)
                .thenComparing(c -> c.expertId().toString())
                .thenComparing(c -> c.peer().toString()))
        .toList();
  }

  public int size() {
    return cards.size();
  }

  private static Key keyOf(ExpertCard c) {
    return new Key(c.expertId().toString(), c.peer().toString());
  }
}
