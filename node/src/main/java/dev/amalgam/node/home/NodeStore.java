package dev.amalgam.node.home;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's state in SQLite: hosted experts and summaries, cards and summary notes heard from
 * peers, the peerstore, the chunks of unfinished fetches already verified and written (keyed by
 * expert id and output directory), the peers penalized for serving blocks that failed verification,
 * and merge rounds (proposals, every peer's result, and this node's own part in each). The schema
 * is versioned with {@code PRAGMA user_version} and migrated forward on open.
 */
public final class NodeStore implements AutoCloseable {
  private static final String[] MIGRATIONS = {
    """
    CREATE TABLE hosted_experts (
      expert_id TEXT PRIMARY KEY,
      path TEXT NOT NULL,
      name TEXT NOT NULL,
      family_id TEXT NOT NULL,
      tokenizer_id TEXT,
      base_id TEXT,
      tags TEXT NOT NULL DEFAULT '',
      card BLOB,
      added_at INTEGER NOT NULL
    );
    CREATE TABLE known_cards (
      expert_id TEXT NOT NULL,
      peer_id TEXT NOT NULL,
      card BLOB NOT NULL,
      received_at INTEGER NOT NULL,
      PRIMARY KEY (expert_id, peer_id)
    );
    CREATE TABLE peers (
      peer_id TEXT PRIMARY KEY,
      addrs TEXT NOT NULL,
      protocols TEXT NOT NULL DEFAULT '',
      last_seen INTEGER NOT NULL
    );
    """,
    """
    ALTER TABLE hosted_experts ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE hosted_experts ADD COLUMN scores TEXT NOT NULL DEFAULT ''
    """,
    """
    CREATE TABLE fetched_chunks (
      expert_id TEXT NOT NULL,
      target TEXT NOT NULL,
      chunk_cid TEXT NOT NULL,
      PRIMARY KEY (expert_id, target, chunk_cid)
    );
    ALTER TABLE hosted_experts ADD COLUMN merged_from TEXT NOT NULL DEFAULT '';
    ALTER TABLE hosted_experts ADD COLUMN recipe_sha256 TEXT
    """,
    """
    CREATE TABLE peer_penalties (
      peer_id TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      count INTEGER NOT NULL,
      last_at INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE round_proposals (
      proposal_id TEXT PRIMARY KEY,
      proposer TEXT NOT NULL,
      envelope BLOB NOT NULL,
      received_at INTEGER NOT NULL
    );
    CREATE TABLE round_results (
      proposal_id TEXT NOT NULL,
      peer_id TEXT NOT NULL,
      output_id TEXT NOT NULL,
      envelope BLOB NOT NULL,
      received_at INTEGER NOT NULL,
      other_output_id TEXT,
      PRIMARY KEY (proposal_id, peer_id)
    );
    CREATE TABLE round_runs (
      proposal_id TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      detail TEXT NOT NULL DEFAULT '',
      updated_at INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE hosted_summaries (
      summary_id TEXT PRIMARY KEY,
      path TEXT NOT NULL,
      name TEXT NOT NULL,
      dataset_id TEXT NOT NULL,
      source_model TEXT NOT NULL,
      source_tokenizer TEXT,
      top_k INTEGER NOT NULL,
      sequences INTEGER NOT NULL,
      response_tokens INTEGER NOT NULL,
      size_bytes INTEGER NOT NULL,
      note BLOB,
      added_at INTEGER NOT NULL
    );
    CREATE TABLE known_summary_notes (
      summary_id TEXT NOT NULL,
      peer_id TEXT NOT NULL,
      note BLOB NOT NULL,
      received_at INTEGER NOT NULL,
      PRIMARY KEY (summary_id, peer_id)
    )
    """
  };

  /** An expert this node hosts. */
  public record HostedExpert(
      String expertId,
      Path path,
      String name,
      String familyId,
      String tokenizerId,
      String baseId,
      List<String> tags,
      long addedAt,
      long sizeBytes,
      Map<String, Double> scores,
      List<String> mergedFrom,
      String recipeSha256) {
    public HostedExpert {
      tags = List.copyOf(tags);
      scores = Map.copyOf(scores);
      mergedFrom = List.copyOf(mergedFrom);
    }

    /** An expert that is not a merge output (no provenance). */
    public HostedExpert(
        String expertId,
        Path path,
        String name,
        String familyId,
        String tokenizerId,
        String baseId,
        List<String> tags,
        long addedAt,
        long sizeBytes,
        Map<String, Double> scores) {
      this(
          expertId,
          path,
          name,
          familyId,
          tokenizerId,
          baseId,
          tags,
          addedAt,
          sizeBytes,
          scores,
          List.of(),
          null);
    }
  }

  /** A distribution summary this node serves. */
  public record HostedSummary(
      String summaryId,
      Path path,
      String name,
      String datasetId,
      String sourceModel,
      String sourceTokenizer,
      int topK,
      long sequences,
      long responseTokens,
      long sizeBytes,
      long addedAt) {}

  /** A summary note heard from a peer, as stored. */
  public record KnownNote(String summaryId, String peerId, byte[] note, long receivedAt) {}

  /** A card heard from a peer, as stored. */
  public record KnownCard(String expertId, String peerId, byte[] card, long receivedAt) {}

  /** A round proposal heard on the merges topic (or made here), as stored. */
  public record StoredProposal(
      String proposalId, String proposer, byte[] envelope, long receivedAt) {}

  /**
   * A peer's result for a round: the first it published, and the other output id if it later
   * published a different one for the same proposal.
   */
  public record StoredResult(
      String proposalId,
      String peerId,
      String outputId,
      byte[] envelope,
      long receivedAt,
      String otherOutputId) {}

  /** This node's own part in a round: running, done, skipped or failed, and why. */
  public record RoundRun(String proposalId, String state, String detail, long updatedAt) {}

  /** What storing a result did. */
  public enum ResultOutcome {
    NEW,
    ALREADY_KNOWN,
    CONFLICTING
  }

  /** A peer as last seen. */
  public record KnownPeer(String peerId, List<String> addrs, long lastSeen) {}

  /** A peer that misbehaved: the last reason, how often, and when last. */
  public record PeerPenalty(String peerId, String reason, long count, long lastAt) {}

  private final Path file;
  private final Connection db;

  private NodeStore(Path file, Connection db) {
    this.file = file;
    this.db = db;
  }

  public static NodeStore open(Path file) throws IOException {
    try {
      Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = db.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=5000");
      }
      NodeStore store = new NodeStore(file, db);
      store.migrate();
      return store;
    } catch (SQLException e) {
      throw new HomeException(file + ": cannot open the node database: " + e.getMessage(), e);
    }
  }

  private void migrate() throws SQLException, HomeException {
    int version = schemaVersion();
    if (version > MIGRATIONS.length) {
      throw new HomeException(
          file
              + ": schema version "
              + version
              + " is newer than this amalgam understands ("
              + MIGRATIONS.length
              + "); upgrade amalgam");
    }
    for (int v = version; v < MIGRATIONS.length; v++) {
      db.setAutoCommit(false);
      try (Statement s = db.createStatement()) {
        for (String sql : MIGRATIONS[v].split(";")) {
          if (!sql.isBlank()) {
            s.execute(sql);
          }
        }
        s.execute("PRAGMA user_version = " + (v + 1));
        db.commit();
      } catch (SQLException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    }
  }

  public synchronized int schemaVersion() throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.getInt(1);
    }
  }

  public synchronized void putHostedExpert(HostedExpert e, byte[] card) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT OR REPLACE INTO hosted_experts (expert_id, path, name, family_id,"
                + " tokenizer_id, base_id, tags, card, added_at, size_bytes, scores,"
                + " merged_from, recipe_sha256)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, e.expertId());
      ps.setString(2, e.path().toString());
      ps.setString(3, e.name());
      ps.setString(4, e.familyId());
      ps.setString(5, e.tokenizerId());
      ps.setString(6, e.baseId());
      ps.setString(7, String.join(",", e.tags()));
      ps.setBytes(8, card);
      ps.setLong(9, e.addedAt());
      ps.setLong(10, e.sizeBytes());
      ps.setString(11, encodeScores(e.scores()));
      ps.setString(12, String.join(",", e.mergedFrom()));
      ps.setString(13, e.recipeSha256());
      ps.executeUpdate();
    }
  }

  /** Replaces the signed card of a hosted expert (re-issued at each announcement). */
  public synchronized void setHostedCard(String expertId, byte[] card) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("UPDATE hosted_experts SET card = ? WHERE expert_id = ?")) {
      ps.setBytes(1, card);
      ps.setString(2, expertId);
      ps.executeUpdate();
    }
  }

  private static String encodeScores(Map<String, Double> scores) {
    StringBuilder b = new StringBuilder();
    scores.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                b.append(b.isEmpty() ? "" : ",")
                    .append(e.getKey())
                    .append('=')
                    .append(e.getValue()));
    return b.toString();
  }

  private static Map<String, Double> decodeScores(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (text != null && !text.isEmpty()) {
      for (String kv : text.split(",")) {
        int eq = kv.lastIndexOf('=');
        out.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
      }
    }
    return out;
  }

  public synchronized boolean removeHostedExpert(String expertId) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("DELETE FROM hosted_experts WHERE expert_id = ?")) {
      ps.setString(1, expertId);
      return ps.executeUpdate() > 0;
    }
  }

  public synchronized List<HostedExpert> hostedExperts() throws SQLException {
    List<HostedExpert> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT * FROM hosted_experts ORDER BY added_at, expert_id")) {
      while (rs.next()) {
        String tags = rs.getString("tags");
        out.add(
            new HostedExpert(
                rs.getString("expert_id"),
                Path.of(rs.getString("path")),
                rs.getString("name"),
                rs.getString("family_id"),
                rs.getString("tokenizer_id"),
                rs.getString("base_id"),
                tags.isEmpty() ? List.of() : List.of(tags.split(",")),
                rs.getLong("added_at"),
                rs.getLong("size_bytes"),
                decodeScores(rs.getString("scores")),
                rs.getString("merged_from").isEmpty()
                    ? List.of()
                    : List.of(rs.getString("merged_from").split(",")),
                rs.getString("recipe_sha256")));
      }
    }
    return out;
  }

  public synchronized Optional<byte[]> hostedCard(String expertId) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("SELECT card FROM hosted_experts WHERE expert_id = ?")) {
      ps.setString(1, expertId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.empty();
      }
    }
  }

  public synchronized void putHostedSummary(HostedSummary h) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT OR REPLACE INTO hosted_summaries (summary_id, path, name, dataset_id,"
                + " source_model, source_tokenizer, top_k, sequences, response_tokens,"
                + " size_bytes, note, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)")) {
      ps.setString(1, h.summaryId());
      ps.setString(2, h.path().toString());
      ps.setString(3, h.name());
      ps.setString(4, h.datasetId());
      ps.setString(5, h.sourceModel());
      ps.setString(6, h.sourceTokenizer());
      ps.setInt(7, h.topK());
      ps.setLong(8, h.sequences());
      ps.setLong(9, h.responseTokens());
      ps.setLong(10, h.sizeBytes());
      ps.setLong(11, h.addedAt());
      ps.executeUpdate();
    }
  }

  public synchronized List<HostedSummary> hostedSummaries() throws SQLException {
    List<HostedSummary> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT * FROM hosted_summaries ORDER BY added_at, summary_id")) {
      while (rs.next()) {
        out.add(
            new HostedSummary(
                rs.getString("summary_id"),
                Path.of(rs.getString("path")),
                rs.getString("name"),
                rs.getString("dataset_id"),
                rs.getString("source_model"),
                rs.getString("source_tokenizer"),
                rs.getInt("top_k"),
                rs.getLong("sequences"),
                rs.getLong("response_tokens"),
                rs.getLong("size_bytes"),
                rs.getLong("added_at")));
      }
    }
    return out;
  }

  public synchronized boolean removeHostedSummary(String summaryId) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("DELETE FROM hosted_summaries WHERE summary_id = ?")) {
      ps.setString(1, summaryId);
      return ps.executeUpdate() > 0;
    }
  }

  /** Replaces the signed note of a hosted summary (re-issued at each announcement). */
  public synchronized void setHostedNote(String summaryId, byte[] note) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("UPDATE hosted_summaries SET note = ? WHERE summary_id = ?")) {
      ps.setBytes(1, note);
      ps.setString(2, summaryId);
      ps.executeUpdate();
    }
  }

  /** The current signed notes of the hosted summaries (those announced at least once). */
  public synchronized List<byte[]> hostedNotes() throws SQLException {
    List<byte[]> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT note FROM hosted_summaries WHERE note IS NOT NULL")) {
      while (rs.next()) {
        out.add(rs.getBytes(1));
      }
    }
    return out;
  }

  public synchronized void putKnownNote(KnownNote n) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("INSERT OR REPLACE INTO known_summary_notes VALUES (?, ?, ?, ?)")) {
      ps.setString(1, n.summaryId());
      ps.setString(2, n.peerId());
      ps.setBytes(3, n.note());
      ps.setLong(4, n.receivedAt());
      ps.executeUpdate();
    }
  }

  public synchronized List<KnownNote> knownNotes() throws SQLException {
    List<KnownNote> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM known_summary_notes ORDER BY received_at")) {
      while (rs.next()) {
        out.add(
            new KnownNote(
                rs.getString("summary_id"),
                rs.getString("peer_id"),
                rs.getBytes("note"),
                rs.getLong("received_at")));
      }
    }
    return out;
  }

  public synchronized void putKnownCard(
      String expertId, String peerId, byte[] card, long receivedAt) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("INSERT OR REPLACE INTO known_cards VALUES (?, ?, ?, ?)")) {
      ps.setString(1, expertId);
      ps.setString(2, peerId);
      ps.setBytes(3, card);
      ps.setLong(4, receivedAt);
      ps.executeUpdate();
    }
  }

  public synchronized List<KnownCard> knownCards() throws SQLException {
    List<KnownCard> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM known_cards ORDER BY received_at")) {
      while (rs.next()) {
        out.add(
            new KnownCard(
                rs.getString("expert_id"),
                rs.getString("peer_id"),
                rs.getBytes("card"),
                rs.getLong("received_at")));
      }
    }
    return out;
  }

  public synchronized void putPeer(KnownPeer p) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT INTO peers (peer_id, addrs, last_seen) VALUES (?, ?, ?) "
                + "ON CONFLICT(peer_id) DO UPDATE SET addrs = excluded.addrs, last_seen = excluded.last_seen")) {
      ps.setString(1, p.peerId());
      ps.setString(2, String.join(" ", p.addrs()));
      ps.setLong(3, p.lastSeen());
      ps.executeUpdate();
    }
  }

  public synchronized List<KnownPeer> peers() throws SQLException {
    List<KnownPeer> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM peers ORDER BY last_seen DESC")) {
      while (rs.next()) {
        String addrs = rs.getString("addrs");
        out.add(
            new KnownPeer(
                rs.getString("peer_id"),
                addrs.isEmpty() ? List.of() : List.of(addrs.split(" ")),
                rs.getLong("last_seen")));
      }
    }
    return out;
  }

  /** Records one more offence of {@code peerId} at {@code at} (epoch ms). */
  public synchronized void penalize(String peerId, String reason, long at) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT INTO peer_penalties (peer_id, reason, count, last_at) VALUES (?, ?, 1, ?) "
                + "ON CONFLICT(peer_id) DO UPDATE SET reason = excluded.reason,"
                + " count = count + 1, last_at = excluded.last_at")) {
      ps.setString(1, peerId);
      ps.setString(2, reason);
      ps.setLong(3, at);
      ps.executeUpdate();
    }
  }

  /** The peers penalized at or after {@code since} (epoch ms), most recent first. */
  public synchronized List<PeerPenalty> penalties(long since) throws SQLException {
    List<PeerPenalty> out = new ArrayList<>();
    try (PreparedStatement ps =
        db.prepareStatement(
            "SELECT * FROM peer_penalties WHERE last_at >= ? ORDER BY last_at DESC, peer_id")) {
      ps.setLong(1, since);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new PeerPenalty(
                  rs.getString("peer_id"),
                  rs.getString("reason"),
                  rs.getLong("count"),
                  rs.getLong("last_at")));
        }
      }
    }
    return out;
  }

  /** Stores a proposal; false when it was already known. */
  public synchronized boolean putRoundProposal(StoredProposal p) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("INSERT OR IGNORE INTO round_proposals VALUES (?, ?, ?, ?)")) {
      ps.setString(1, p.proposalId());
      ps.setString(2, p.proposer());
      ps.setBytes(3, p.envelope());
      ps.setLong(4, p.receivedAt());
      return ps.executeUpdate() > 0;
    }
  }

  public synchronized List<StoredProposal> roundProposals() throws SQLException {
    List<StoredProposal> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT * FROM round_proposals ORDER BY received_at, proposal_id")) {
      while (rs.next()) {
        out.add(
            new StoredProposal(
                rs.getString("proposal_id"),
                rs.getString("proposer"),
                rs.getBytes("envelope"),
                rs.getLong("received_at")));
      }
    }
    return out;
  }

  /**
   * Stores a peer's result for a proposal. A peer's first result stands; a later one with another
   * output id is remembered as {@code other_output_id} (the peer contradicted itself).
   */
  public synchronized ResultOutcome putRoundResult(StoredResult r) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "SELECT output_id FROM round_results WHERE proposal_id = ? AND peer_id = ?")) {
      ps.setString(1, r.proposalId());
      ps.setString(2, r.peerId());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          if (rs.getString(1).equals(r.outputId())) {
            return ResultOutcome.ALREADY_KNOWN;
          }
          try (PreparedStatement up =
              db.prepareStatement(
                  "UPDATE round_results SET other_output_id = ?"
                      + " WHERE proposal_id = ? AND peer_id = ?")) {
            up.setString(1, r.outputId());
            up.setString(2, r.proposalId());
            up.setString(3, r.peerId());
            up.executeUpdate();
          }
          return ResultOutcome.CONFLICTING;
        }
      }
    }
    try (PreparedStatement ps =
        db.prepareStatement("INSERT INTO round_results VALUES (?, ?, ?, ?, ?, NULL)")) {
      ps.setString(1, r.proposalId());
      ps.setString(2, r.peerId());
      ps.setString(3, r.outputId());
      ps.setBytes(4, r.envelope());
      ps.setLong(5, r.receivedAt());
      ps.executeUpdate();
      return ResultOutcome.NEW;
    }
  }

  public synchronized List<StoredResult> roundResults() throws SQLException {
    List<StoredResult> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT * FROM round_results ORDER BY received_at, peer_id")) {
      while (rs.next()) {
        out.add(
            new StoredResult(
                rs.getString("proposal_id"),
                rs.getString("peer_id"),
                rs.getString("output_id"),
                rs.getBytes("envelope"),
                rs.getLong("received_at"),
                rs.getString("other_output_id")));
      }
    }
    return out;
  }

  public synchronized void putRoundRun(RoundRun r) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("INSERT OR REPLACE INTO round_runs VALUES (?, ?, ?, ?)")) {
      ps.setString(1, r.proposalId());
      ps.setString(2, r.state());
      ps.setString(3, r.detail());
      ps.setLong(4, r.updatedAt());
      ps.executeUpdate();
    }
  }

  public synchronized List<RoundRun> roundRuns() throws SQLException {
    List<RoundRun> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM round_runs ORDER BY updated_at")) {
      while (rs.next()) {
        out.add(
            new RoundRun(
                rs.getString("proposal_id"),
                rs.getString("state"),
                rs.getString("detail"),
                rs.getLong("updated_at")));
      }
    }
    return out;
  }

  /** Records a chunk of a fetch into {@code target} as verified and written in place. */
  public synchronized void putFetchedChunk(String expertId, String target, String chunkCid)
      throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("INSERT OR IGNORE INTO fetched_chunks VALUES (?, ?, ?)")) {
      ps.setString(1, expertId);
      ps.setString(2, target);
      ps.setString(3, chunkCid);
      ps.executeUpdate();
    }
  }

  /** The chunks an earlier, unfinished fetch of {@code expertId} into {@code target} wrote. */
  public synchronized List<String> fetchedChunks(String expertId, String target)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        db.prepareStatement(
            "SELECT chunk_cid FROM fetched_chunks WHERE expert_id = ? AND target = ?")) {
      ps.setString(1, expertId);
      ps.setString(2, target);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * Forgets the progress recorded under other keys for the same output ({@code target|...}): a
   * fetch with another tensor filter lays the work files out anew, so their chunks are gone.
   */
  public synchronized void clearOtherFetchedChunks(String expertId, String target, String keep)
      throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "DELETE FROM fetched_chunks WHERE expert_id = ? AND target <> ?"
                + " AND (target = ? OR substr(target, 1, ?) = ?)")) {
      ps.setString(1, expertId);
      ps.setString(2, keep);
      ps.setString(3, target);
      ps.setInt(4, target.length() + 1);
      ps.setString(5, target + "|");
      ps.executeUpdate();
    }
  }

  /** Forgets the progress of a fetch (finished, or its work directory is gone). */
  public synchronized void clearFetchedChunks(String expertId, String target) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement("DELETE FROM fetched_chunks WHERE expert_id = ? AND target = ?")) {
      ps.setString(1, expertId);
      ps.setString(2, target);
      ps.executeUpdate();
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException ignored) {
      // Closing a SQLite connection only fails if it is already closed.
    }
  }
}
