package dev.amalgam.node.summary;

import dev.amalgam.bootstrap.card.CardException;
import dev.amalgam.bootstrap.card.SummaryNote;
import dev.amalgam.node.home.NodeStore;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The summary notes this node has accepted from other peers, one per (summary, peer), in memory and
 * in the node database, like expert cards.
 */
public final class SummaryNotes {
  private record Key(String summaryId, String peerId) {}

  private final NodeStore store;
  private final Map<Key, SummaryNote.Signed> notes = new ConcurrentHashMap<>();

  public SummaryNotes(NodeStore store) {
    this.store = store;
  }

  /** Loads the stored notes, skipping any that no longer verify. */
  public void load() throws SQLException {
    for (NodeStore.KnownNote k : store.knownNotes()) {
      try {
        notes.put(new Key(k.summaryId(), k.peerId()), SummaryNote.open(k.note()));
      } catch (CardException e) {
        // stored by an older version and no longer valid: left out of the view
      }
    }
  }

  /** Whether exactly these signed bytes were accepted before. */
  public boolean knows(SummaryNote.Signed s) {
    SummaryNote.Signed had = notes.get(keyOf(s.note()));
    return had != null && Arrays.equals(had.envelope(), s.envelope());
  }

  /** Keeps the note unless an equal or newer one from the same peer is held; true when new. */
  public boolean offer(SummaryNote.Signed s) throws SQLException {
    Key key = keyOf(s.note());
    synchronized (notes) {
      SummaryNote.Signed had = notes.get(key);
      if (had != null
          && (Arrays.equals(had.envelope(), s.envelope())
              || had.note().issuedAtMillis() > s.note().issuedAtMillis())) {
        return false;
      }
      notes.put(key, s);
      store.putKnownNote(
          new NodeStore.KnownNote(
              key.summaryId(), key.peerId(), s.envelope(), System.currentTimeMillis()));
      return had == null;
    }
  }

  /** Unexpired notes, by name, summary id, then peer. */
  public List<SummaryNote> list(long nowMillis) {
    return notes.values().stream()
        .map(SummaryNote.Signed::note)
        .filter(n -> !n.expired(nowMillis))
        .sorted(
            Comparator.comparing(SummaryNote::name)
                .thenComparing(n -> n.summaryId().toString())
                .thenComparing(n -> n.peer().toString()))
        .toList();
  }

  private static Key keyOf(SummaryNote n) {
    return new Key(n.summaryId().toString(), n.peer().toString());
  }
}
