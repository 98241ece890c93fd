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
    update(
        "INSERT OR REPLACE INTO hosted_experts (expert_id, path, name, family_id, tokenizer_id,"
            + " base_id, tags, card, added_at, size_bytes, scores, merged_from, recipe_sha256)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        e.expertId(),
        e.path().toString(),
        e.name(),
        e.familyId(),
        e.tokenizerId(),
        e.baseId(),
        String.join(",", e.tags()),
        card,
        e.addedAt(),
        e.sizeBytes(),
        encodeScores(e.scores()),
        String.join(",", e.mergedFrom()),
        e.recipeSha256());
  }

  /** Replaces the signed card of a hosted expert (re-issued at each announcement). */
  public synchronized void setHostedCard(String expertId, byte[] card) throws SQLException {
    update("UPDATE hosted_experts SET card = ? WHERE expert_id = ?", card, expertId);
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

  /** The items of a separator-joined column ("" is no item). */
  private static List<String> splitList(String joined, String separator) {
    return joined.isEmpty() ? List.of() : List.of(joined.split(separator));
  }

  public synchronized boolean removeHostedExpert(String expertId) throws SQLException {
    return update("DELETE FROM hosted_experts WHERE expert_id = ?", expertId) > 0;
  }

  public synchronized List<HostedExpert> hostedExperts() throws SQLException {
    return query(
        "SELECT * FROM hosted_experts ORDER BY added_at, expert_id",
        rs ->
            new HostedExpert(
                rs.getString("expert_id"),
                Path.of(rs.getString("path")),
                rs.getString("name"),
                rs.getString("family_id"),
                rs.getString("tokenizer_id"),
                rs.getString("base_id"),
                splitList(rs.getString("tags"), ","),
                rs.getLong("added_at"),
                rs.getLong("size_bytes"),
                decodeScores(rs.getString("scores")),
                splitList(rs.getString("merged_from"), ","),
                rs.getString("recipe_sha256")));
  }

  public synchronized Optional<byte[]> hostedCard(String expertId) throws SQLException {
    return query(
            "SELECT card FROM hosted_experts WHERE expert_id = ?",
            rs -> Optional.ofNullable(rs.getBytes(1)),
            expertId)
        .stream()
        .findFirst()
        .orElse(Optional.empty());
  }

  public synchronized void putHostedSummary(HostedSummary h) throws SQLException {
    update(
        "INSERT OR REPLACE INTO hosted_summaries (summary_id, path, name, dataset_id,"
            + " source_model, source_tokenizer, top_k, sequences, response_tokens,"
            + " size_bytes, note, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        h.summaryId(),
        h.path().toString(),
        h.name(),
        h.datasetId(),
        h.sourceModel(),
        h.sourceTokenizer(),
        h.topK(),
        h.sequences(),
        h.responseTokens(),
        h.sizeBytes(),
        h.addedAt());
  }

  public synchronized List<HostedSummary> hostedSummaries() throws SQLException {
    return query(
        "SELECT * FROM hosted_summaries ORDER BY added_at, summary_id",
        rs ->
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

  public synchronized boolean removeHostedSummary(String summaryId) throws SQLException {
    return update("DELETE FROM hosted_summaries WHERE summary_id = ?", summaryId) > 0;
  }

  /** Replaces the signed note of a hosted summary (re-issued at each announcement). */
  public synchronized void setHostedNote(String summaryId, byte[] note) throws SQLException {
    update("UPDATE hosted_summaries SET note = ? WHERE summary_id = ?", note, summaryId);
  }

  /** The current signed notes of the hosted summaries (those announced at least once). */
  public synchronized List<byte[]> hostedNotes() throws SQLException {
    return query("SELECT note FROM hosted_summaries WHERE note IS NOT NULL", rs -> rs.getBytes(1));
  }

  public synchronized void putKnownNote(KnownNote n) throws SQLException {
    update(
        "INSERT OR REPLACE INTO known_summary_notes VALUES (?, ?, ?, ?)",
        n.summaryId(),
        n.peerId(),
        n.note(),
        n.receivedAt());
  }

  public synchronized List<KnownNote> knownNotes() throws SQLException {
    return query(
        "SELECT * FROM known_summary_notes ORDER BY received_at",
        rs ->
            new KnownNote(
                rs.getString("summary_id"),
                rs.getString("peer_id"),
                rs.getBytes("note"),
                rs.getLong("received_at")));
  }

  public synchronized void putKnownCard(
      String expertId, String peerId, byte[] card, long receivedAt) throws SQLException {
    update(
        "INSERT OR REPLACE INTO known_cards VALUES (?, ?, ?, ?)",
        expertId,
        peerId,
        card,
        receivedAt);
  }

  public synchronized List<KnownCard> knownCards() throws SQLException {
    return query(
        "SELECT * FROM known_cards ORDER BY received_at",
        rs ->
            new KnownCard(
                rs.getString("expert_id"),
                rs.getString("peer_id"),
                rs.getBytes("card"),
                rs.getLong("received_at")));
  }

  public synchronized void putPeer(KnownPeer p) throws SQLException {
    update(
        "INSERT INTO peers (peer_id, addrs, last_seen) VALUES (?, ?, ?) ON CONFLICT(peer_id)"
            + " DO UPDATE SET addrs = excluded.addrs, last_seen = excluded.last_seen",
        p.peerId(),
        String.join(" ", p.addrs()),
        p.lastSeen());
  }

  public synchronized List<KnownPeer> peers() throws SQLException {
    return query(
        "SELECT * FROM peers ORDER BY last_seen DESC",
        rs ->
            new KnownPeer(
                rs.getString("peer_id"),
                splitList(rs.getString("addrs"), " "),
                rs.getLong("last_seen")));
  }

  /** Records one more offence of {@code peerId} at {@code at} (epoch ms). */
  public synchronized void penalize(String peerId, String reason, long at) throws SQLException {
    update(
        "INSERT INTO peer_penalties (peer_id, reason, count, last_at) VALUES (?, ?, 1, ?) "
            + "ON CONFLICT(peer_id) DO UPDATE SET reason = excluded.reason,"
            + " count = count + 1, last_at = excluded.last_at",
        peerId,
        reason,
        at);
  }

  /** The peers penalized at or after {@code since} (epoch ms), most recent first. */
  public synchronized List<PeerPenalty> penalties(long since) throws SQLException {
    return query(
        "SELECT * FROM peer_penalties WHERE last_at >= ? ORDER BY last_at DESC, peer_id",
        rs ->
            new PeerPenalty(
                rs.getString("peer_id"),
                rs.getString("reason"),
                rs.getLong("count"),
                rs.getLong("last_at")),
        since);
  }

  /** Stores a proposal; false when it was already known. */
  public synchronized boolean putRoundProposal(StoredProposal p) throws SQLException {
    return update(
            "INSERT OR IGNORE INTO round_proposals VALUES (?, ?, ?, ?)",
            p.proposalId(),
            p.proposer(),
            p.envelope(),
            p.receivedAt())
        > 0;
  }

  public synchronized List<StoredProposal> roundProposals() throws SQLException {
    return query(
        "SELECT * FROM round_proposals ORDER BY received_at, proposal_id",
        rs ->
            new StoredProposal(
                rs.getString("proposal_id"),
                rs.getString("proposer"),
                rs.getBytes("envelope"),
                rs.getLong("received_at")));
  }

  /**
   * Stores a peer's result for a proposal. A peer's first result stands; a later one with another
   * output id is remembered as {@code other_output_id} (the peer contradicted itself).
   */
  public synchronized ResultOutcome putRoundResult(StoredResult r) throws SQLException {
    List<String> known =
        query(
            "SELECT output_id FROM round_results WHERE proposal_id = ? AND peer_id = ?",
            rs -> rs.getString(1),
            r.proposalId(),
            r.peerId());
    if (known.isEmpty()) {
      update(
          "INSERT INTO round_results VALUES (?, ?, ?, ?, ?, NULL)",
          r.proposalId(),
          r.peerId(),
          r.outputId(),
          r.envelope(),
          r.receivedAt());
      return ResultOutcome.NEW;
    }
    if (known.getFirst().equals(r.outputId())) {
      return ResultOutcome.ALREADY_KNOWN;
    }
    update(
        "UPDATE round_results SET other_output_id = ? WHERE proposal_id = ? AND peer_id = ?",
        r.outputId(),
        r.proposalId(),
        r.peerId());
    return ResultOutcome.CONFLICTING;
  }

  public synchronized List<StoredResult> roundResults() throws SQLException {
    return query(
        "SELECT * FROM round_results ORDER BY received_at, peer_id",
        rs ->
            new StoredResult(
                rs.getString("proposal_id"),
                rs.getString("peer_id"),
                rs.getString("output_id"),
                rs.getBytes("envelope"),
                rs.getLong("received_at"),
                rs.getString("other_output_id")));
  }

  public synchronized void putRoundRun(RoundRun r) throws SQLException {
    update(
        "INSERT OR REPLACE INTO round_runs VALUES (?, ?, ?, ?)",
        r.proposalId(),
        r.state(),
        r.detail(),
        r.updatedAt());
  }

  public synchronized List<RoundRun> roundRuns() throws SQLException {
    return query(
        "SELECT * FROM round_runs ORDER BY updated_at",
        rs ->
            new RoundRun(
                rs.getString("proposal_id"),
                rs.getString("state"),
                rs.getString("detail"),
                rs.getLong("updated_at")));
  }

  /** Records a chunk of a fetch into {@code target} as verified and written in place. */
  public synchronized void putFetchedChunk(String expertId, String target, String chunkCid)
      throws SQLException {
    update("INSERT OR IGNORE INTO fetched_chunks VALUES (?, ?, ?)", expertId, target, chunkCid);
  }

  /** The chunks an earlier, unfinished fetch of {@code expertId} into {@code target} wrote. */
  public synchronized List<String> fetchedChunks(String expertId, String target)
      throws SQLException {
    return query(
        "SELECT chunk_cid FROM fetched_chunks WHERE expert_id = ? AND target = ?",
        rs -> rs.getString(1),
        expertId,
        target);
  }

  /**
   * Forgets the progress recorded under other keys for the same output ({@code target|...}): a
   * fetch with another tensor filter lays the work files out anew, so their chunks are gone.
   */
  public synchronized void clearOtherFetchedChunks(String expertId, String target, String keep)
      throws SQLException {
    update(
        "DELETE FROM fetched_chunks WHERE expert_id = ? AND target <> ?"
            + " AND (target = ? OR substr(target, 1, ?) = ?)",
        expertId,
        keep,
        target,
        target.length() + 1,
        target + "|");
  }

  /** Forgets the progress of a fetch (finished, or its work directory is gone). */
  public synchronized void clearFetchedChunks(String expertId, String target) throws SQLException {
    update("DELETE FROM fetched_chunks WHERE expert_id = ? AND target = ?", expertId, target);
  }

  /** Reads one row into a value. */
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Runs a statement with positional parameters; the number of rows it changed. */
  private int update(String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  /** Runs a query with positional parameters; every row, read by {@code row}. */
  private <T> List<T> query(String sql, Row<T> row, Object... params) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      bind(ps, params);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row.read(rs));
        }
      }
      return out;
    }
  }

  private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
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
