package dev.amalgam.node.home;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeHomeTest {
  @TempDir Path dir;

  @Test
  void initCreatesAnOwnerOnlyIdentityThatReopensWithTheSamePeerId() throws Exception {
    Path home = dir.resolve("home");
    NodeHome created = NodeHome.init(home, NodeConfig.defaults().withFederation("labs"));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve(NodeHome.IDENTITY))))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve(NodeHome.TOKEN))))
        .isEqualTo("rw-------");
    NodeHome reopened = NodeHome.open(home);
    assertThat(reopened.peerId()).isEqualTo(created.peerId());
    assertThat(reopened.config().federation()).isEqualTo("labs");
    assertThat(reopened.apiToken()).hasSize(64);
    assertThat(home.resolve(NodeHome.STATE)).exists();
  }

  @Test
  void initRefusesToReplaceAnExistingIdentity() throws Exception {
    NodeHome.init(dir, NodeConfig.defaults());
    assertThatThrownBy(() -> NodeHome.init(dir, NodeConfig.defaults()))
        .hasMessageContaining("already holds a node identity");
  }

  @Test
  void openRefusesAnIdentityReadableByOthers() throws Exception {
    NodeHome.init(dir, NodeConfig.defaults());
    Files.setPosixFilePermissions(
        dir.resolve(NodeHome.IDENTITY), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> NodeHome.open(dir))
        .hasMessageContaining("identity.key: is accessible by other users")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void openExplainsAMissingHome() {
    assertThatThrownBy(() -> NodeHome.open(dir.resolve("nothing")))
        .hasMessageContaining("no node home here")
        .hasMessageContaining("amalgam init");
  }

  @Test
  void configTypoIsReportedWithItsLine() throws Exception {
    NodeHome.init(dir, NodeConfig.defaults());
    Files.writeString(
        dir.resolve(NodeHome.CONFIG), "federation: labs\nlisen:\n  - /ip4/127.0.0.1/tcp/0\n");
    assertThatThrownBy(() -> NodeHome.open(dir))
        .hasMessageContaining("config.yaml:2: unknown key 'lisen'");
  }

  @Test
  void roundsSectionDefaultsWhatItOmitsAndReportsTyposAndBadLimits() throws Exception {
    NodeHome.init(dir, NodeConfig.defaults());
    Path config = dir.resolve(NodeHome.CONFIG);
    Files.writeString(config, "rounds:\n  participate: true\n");
    NodeConfig.Rounds r = NodeHome.open(dir).config().rounds();
    assertThat(r.participate()).isTrue();
    assertThat(r.maxConcurrent()).isEqualTo(1);
    assertThat(r.maxInputBytes()).isEqualTo(4L << 30);
    Files.writeString(config, "rounds:\n  participate: true\n  max_concurent: 2\n");
    assertThatThrownBy(() -> NodeHome.open(dir))
        .hasMessageContaining("config.yaml:3: unknown key 'max_concurent' in rounds");
    Files.writeString(config, "rounds:\n  max_concurrent: 0\n");
    assertThatThrownBy(() -> NodeHome.open(dir))
        .hasMessageContaining("rounds.max_concurrent 0 must be at least 1");
  }

  @Test
  void configRejectsAnInvalidFederationName() throws Exception {
    NodeHome.init(dir, NodeConfig.defaults());
    Files.writeString(dir.resolve(NodeHome.CONFIG), "federation: 'no spaces please'\n");
    assertThatThrownBy(() -> NodeHome.open(dir))
        .hasMessageContaining("federation 'no spaces please'");
  }

  @Test
  void homeResolvesFromTheOptionThenTheEnvironmentThenTheUserHome() {
    assertThat(NodeHome.resolve(Path.of("/x/y"), Map.of("AMALGAM_HOME", "/env")))
        .isEqualTo(Path.of("/x/y"));
    assertThat(NodeHome.resolve(null, Map.of("AMALGAM_HOME", "/env"))).isEqualTo(Path.of("/env"));
    assertThat(NodeHome.resolve(null, Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".amalgam"));
  }

  @Test
  void storeKeepsHostedExpertsAndPeersAcrossReopen() throws Exception {
    Path db = dir.resolve("state.db");
    try (NodeStore store = NodeStore.open(db)) {
      store.putHostedExpert(
          new NodeStore.HostedExpert(
              "bagaa1",
              dir,
              "arith",
              "fam",
              null,
              null,
              List.of("math", "a"),
              5,
              1234,
              java.util.Map.of("arithmetic", 0.98)),
          new byte[] {1, 2});
      store.putPeer(new NodeStore.KnownPeer("12D3KooWx", List.of("/ip4/127.0.0.1/tcp/1"), 7));
      store.putPeer(new NodeStore.KnownPeer("12D3KooWx", List.of("/ip4/127.0.0.1/tcp/2"), 9));
    }
    try (NodeStore store = NodeStore.open(db)) {
      assertThat(store.schemaVersion()).isEqualTo(6);
      assertThat(store.hostedExperts())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.name()).isEqualTo("arith");
                assertThat(e.tags()).containsExactly("math", "a");
                assertThat(e.sizeBytes()).isEqualTo(1234);
                assertThat(e.scores()).containsEntry("arithmetic", 0.98);
              });
      assertThat(store.hostedCard("bagaa1")).get().isEqualTo(new byte[] {1, 2});
      assertThat(store.peers())
          .singleElement()
          .satisfies(p -> assertThat(p.addrs()).containsExactly("/ip4/127.0.0.1/tcp/2"));
      assertThat(store.removeHostedExpert("bagaa1")).isTrue();
      assertThat(store.hostedExperts()).isEmpty();
    }
  }

  @Test
  void fetchProgressIsKeptPerOutputAndFilterAndOtherFiltersAreForgotten() throws Exception {
    try (NodeStore store = NodeStore.open(dir.resolve("state.db"))) {
      store.putFetchedChunk("bagaa1", "/out", "c1");
      store.putFetchedChunk("bagaa1", "/out", "c1");
      store.putFetchedChunk("bagaa1", "/out|tensors=a*", "c2");
      store.putFetchedChunk("bagaa1", "/outer", "c3");
      assertThat(store.fetchedChunks("bagaa1", "/out")).containsExactly("c1");
      store.clearOtherFetchedChunks("bagaa1", "/out", "/out|tensors=a*");
      assertThat(store.fetchedChunks("bagaa1", "/out")).isEmpty();
      assertThat(store.fetchedChunks("bagaa1", "/out|tensors=a*")).containsExactly("c2");
      assertThat(store.fetchedChunks("bagaa1", "/outer")).containsExactly("c3");
      store.clearFetchedChunks("bagaa1", "/out|tensors=a*");
      assertThat(store.fetchedChunks("bagaa1", "/out|tensors=a*")).isEmpty();
    }
  }

  @Test
  void peerPenaltiesCountOffencesAndOutliveTheStore() throws Exception {
    try (NodeStore store = NodeStore.open(dir.resolve("state.db"))) {
      store.penalize("peerA", "block does not match its CID", 1_000);
      store.penalize("peerA", "block larger than the limit", 5_000);
      store.penalize("peerB", "block does not match its CID", 2_000);
    }
    try (NodeStore store = NodeStore.open(dir.resolve("state.db"))) {
      assertThat(store.penalties(0))
          .containsExactly(
              new NodeStore.PeerPenalty("peerA", "block larger than the limit", 2, 5_000),
              new NodeStore.PeerPenalty("peerB", "block does not match its CID", 1, 2_000));
      assertThat(store.penalties(3_000))
          .extracting(NodeStore.PeerPenalty::peerId)
          .containsExactly("peerA");
    }
  }

  /** A limits section as versions before the penalty key wrote it. */
  private static final String OLD_LIMITS =
      """
      limits:
        max_connections: 256
        max_connections_per_peer: 4
        max_streams_per_connection: 512
        upload_bytes_per_second_per_peer: 0
        fetch_concurrency: 8
      """;

  @Test
  void configRejectsANegativePenalty() throws Exception {
    NodeHome.init(dir, NodeConfig.defaults());
    Files.writeString(
        dir.resolve(NodeHome.CONFIG), OLD_LIMITS + "  bad_peer_penalty_seconds: -5\n");
    assertThatThrownBy(() -> NodeHome.open(dir))
        .hasMessageContaining("config.yaml")
        .hasMessageContaining("limits.bad_peer_penalty_seconds -5");
  }

  @Test
  void configWrittenBeforeThePenaltyKeyUsesTheDefault() throws Exception {
    NodeHome.init(dir, NodeConfig.defaults());
    Files.writeString(dir.resolve(NodeHome.CONFIG), OLD_LIMITS);
    assertThat(NodeHome.open(dir).config().limits().badPeerPenalty())
        .isEqualTo(java.time.Duration.ofHours(1));
  }

  @Test
  void roundResultsKeepEachPeersFirstOutputAndRememberAContradiction() throws Exception {
    Path db = dir.resolve("state.db");
    try (NodeStore store = NodeStore.open(db)) {
      assertThat(
              store.putRoundProposal(
                  new NodeStore.StoredProposal("p1", "12D3A", new byte[] {1}, 5)))
          .isTrue();
      assertThat(
              store.putRoundProposal(
                  new NodeStore.StoredProposal("p1", "12D3A", new byte[] {1}, 6)))
          .isFalse();
      assertThat(store.putRoundResult(result("12D3B", "out1")))
          .isEqualTo(NodeStore.ResultOutcome.NEW);
      assertThat(store.putRoundResult(result("12D3B", "out1")))
          .isEqualTo(NodeStore.ResultOutcome.ALREADY_KNOWN);
      assertThat(store.putRoundResult(result("12D3B", "out2")))
          .isEqualTo(NodeStore.ResultOutcome.CONFLICTING);
      store.putRoundRun(new NodeStore.RoundRun("p1", "done", "out1", 9));
    }
    try (NodeStore store = NodeStore.open(db)) {
      assertThat(store.roundProposals())
          .singleElement()
          .satisfies(p -> assertThat(p.receivedAt()).isEqualTo(5));
      assertThat(store.roundResults())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.outputId()).isEqualTo("out1");
                assertThat(r.otherOutputId()).isEqualTo("out2");
              });
      assertThat(store.roundRuns())
          .singleElement()
          .satisfies(r -> assertThat(r.state()).isEqualTo("done"));
    }
  }

  private static NodeStore.StoredResult result(String peer, String output) {
    return new NodeStore.StoredResult("p1", peer, output, new byte[] {2}, 7, null);
  }
}
