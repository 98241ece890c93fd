package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.round.RoundRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merge round between separate JVMs on loopback, driven through the CLI: a bootstrap peer, a node
 * hosting the zoo's arithmetic expert and one hosting its relational expert (both volunteer for
 * rounds), a third volunteer rigged to lie about its output id, and a proposer that only proposes.
 * The round merges the two experts (linear, half and half) and evaluates on a tiny dev set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class RoundsProcessesTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration ROUND = Duration.ofSeconds(200);
  private static final String FEDERATION = "roundtest";
  private static final Path ZOO = Path.of("..", "zoo", "models");
  private static final JsonMapper JSON = new JsonMapper();

  private Path dir;
  private final List<AmalgamProcess> processes = new ArrayList<>();
  private String bootstrapAddr;
  private final Map<String, Path> homes = new java.util.LinkedHashMap<>();
  private final Map<String, AmalgamProcess> nodes = new java.util.LinkedHashMap<>();
  private final Map<String, String> peers = new java.util.LinkedHashMap<>();
  private String arithId;
  private String relationalId;
  private String roundId;

  @BeforeAll
  void startFederation(@TempDir Path tmp) throws Exception {
    dir = tmp;
    AmalgamProcess bootstrap = track(AmalgamProcess.startBootstrap(FEDERATION));
    bootstrapAddr = bootstrap.awaitValue("listening on ", START);
    initHome("arith", true);
    initHome("relational", true);
    initHome("liar", true);
    initHome("proposer", false);
    arithId = addExpert("arith", ZOO.resolve("arith"));
    relationalId = addExpert("relational", ZOO.resolve("relational"));
    for (String name : homes.keySet()) {
      Map<String, String> env =
          name.equals("liar")
              ? Map.of(RoundRunner.TEST_ONLY_LIE_ABOUT_OUTPUT_ID_ENV, "1")
              : Map.of();
      nodes.put(
          name,
          track(
              AmalgamProcess.startWithEnv(
                  env, name, "node", "start", "--home", homes.get(name).toString())));
    }
    for (var e : nodes.entrySet()) {
      peers.put(e.getKey(), e.getValue().awaitValue("listening on ", START).split("/p2p/")[1]);
    }
    nodes.get("arith").awaitLine(l -> l.contains(" expert announced " + arithId), START, "arith");
    nodes
        .get("relational")
        .awaitLine(l -> l.contains(" expert announced " + relationalId), START, "relational");
    for (String name : List.of("arith", "relational", "liar")) {
      awaitExperts(homes.get(name), List.of(arithId, relationalId));
    }
  }

  @AfterAll
  void stopEverything() {
    processes.forEach(AmalgamProcess::close);
  }

  private AmalgamProcess track(AmalgamProcess p) {
    processes.add(p);
    return p;
  }

  private void initHome(String name, boolean participate) throws Exception {
    Path home = dir.resolve(name);
    CliRun.initLoopbackHome(home, bootstrapAddr, FEDERATION);
    Path config = home.resolve(NodeHome.CONFIG);
    String text = Files.readString(config);
    assertThat(text).contains("participate: false");
    Files.writeString(config, text.replace("participate: false", "participate: " + participate));
    homes.put(name, home);
  }

  private String addExpert(String name, Path ckpt) {
    CliRun add = CliRun.of("expert", "add", ckpt.toString(), "--home", homes.get(name).toString());
    assertThat(add.exitCode()).as(add.err()).isZero();
    return add.out().strip();
  }

  private void awaitExperts(Path home, List<String> expected) throws Exception {
    ExpertListing.await(home, expected, START, processes);
  }

  private static JsonNode round(Path home, String id) throws Exception {
    CliRun run = CliRun.of("rounds", "--json", "--home", home.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    for (JsonNode r : JSON.readTree(run.out())) {
      if (r.get("id").asText().equals(id)) {
        return r;
      }
    }
    return null;
  }

  /** Waits until the round has results from all three volunteers on {@code home}. */
  private JsonNode awaitThreeResults(Path home) throws Exception {
    long deadline = System.nanoTime() + ROUND.toNanos();
    while (true) {
      JsonNode r = round(home, roundId);
      if (r != null
          && r.get("results").size() == 3
          && r.get("status").asText().equals("verified")) {
        return r;
      }
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        nodes.forEach((n, p) -> logs.append("\n--- ").append(n).append('\n').append(p.output()));
        throw new AssertionError("round " + roundId + " on " + home + ": " + r + logs);
      }
      Thread.sleep(500);
    }
  }

  private static JsonNode resultOf(JsonNode round, String peer) {
    for (JsonNode r : round.get("results")) {
      if (r.get("peer").asText().equals(peer)) {
        return r;
      }
    }
    throw new AssertionError("no result from " + peer + " in " + round);
  }

  private static String resultStatusOf(JsonNode round, String peer) {
    return resultOf(round, peer).get("status").asText();
  }

  @Test
  @Order(1)
  void proposedRoundIsVerifiedByTwoPeersAndTheLiarIsFlagged() throws Exception {
    Path recipe =
        Files.writeString(
            dir.resolve("round.yml"),
            """
            merge_method: linear
            models:
              - model: %s
                parameters: {weight: 0.5}
              - model: %s
                parameters: {weight: 0.5}
            dtype: float32
            """
                .formatted(arithId, relationalId));
    CliRun propose =
        CliRun.of(
            "round",
            "propose",
            recipe.toString(),
            "--federation",
            FEDERATION,
            "--dev-n",
            "3",
            "--dev-max-tokens",
            "24",
            "--home",
            homes.get("proposer").toString());
    assertThat(propose.exitCode()).as(propose.err()).isZero();
    assertThat(propose.out()).startsWith("proposed round ").contains("dev set ");
    roundId = propose.out().lines().findFirst().orElseThrow().split(" ")[2];

    JsonNode r = awaitThreeResults(homes.get("proposer"));
    String honest = r.get("verified_output").asText();
    assertThat(resultStatusOf(r, peers.get("arith"))).isEqualTo("verified");
    assertThat(resultStatusOf(r, peers.get("relational"))).isEqualTo("verified");
    assertThat(resultStatusOf(r, peers.get("liar"))).isEqualTo("flagged");
    for (JsonNode res : r.get("results")) {
      if (res.get("peer").asText().equals(peers.get("liar"))) {
        assertThat(res.get("output_id").asText()).isNotEqualTo(honest);
        assertThat(res.get("reason").asText())
            .contains("differs from the verified " + honest)
            .contains(peers.get("arith"))
            .contains(peers.get("relational"));
      } else {
        assertThat(res.get("scores").has("arithmetic")).isTrue();
        assertThat(res.get("scores").has("relational")).isTrue();
      }
    }
    assertThat(resultOf(r, peers.get("arith")).get("scores"))
        .isEqualTo(resultOf(r, peers.get("relational")).get("scores"));
    assertThat(r.get("proposer").asText()).isEqualTo(peers.get("proposer"));
    assertThat(r.get("inputs").toString()).contains(arithId).contains(relationalId);

    // the honest participants host the output, with its provenance on the card
    CliRun hosted = CliRun.of("expert", "list", "--json", "--home", homes.get("arith").toString());
    JsonNode mine = null;
    for (JsonNode e : JSON.readTree(hosted.out())) {
      if (e.get("id").asText().equals(honest)) {
        mine = e;
      }
    }
    assertThat(mine).as(hosted.out()).isNotNull();
    assertThat(mine.get("merged_from").toString()).contains(arithId).contains(relationalId);

    // every participant reaches the same verdict
    JsonNode onLiar = awaitThreeResults(homes.get("liar"));
    assertThat(onLiar.get("verified_output").asText()).isEqualTo(honest);
    assertThat(resultStatusOf(onLiar, peers.get("liar"))).isEqualTo("flagged");

    CliRun text = CliRun.of("rounds", "--home", homes.get("proposer").toString());
    assertThat(text.out()).contains("round " + roundId + "  verified  output " + honest);
    assertThat(text.out()).contains("flagged");
  }

  @Test
  @Order(2)
  void theVerdictSurvivesARestartOfTheProposer() throws Exception {
    assertThat(nodes.get("proposer").stop()).isZero();
    JsonNode r = round(homes.get("proposer"), roundId);
    assertThat(r).isNotNull();
    assertThat(r.get("status").asText()).isEqualTo("verified");
    assertThat(resultStatusOf(r, peers.get("liar"))).isEqualTo("flagged");
  }

  @Test
  @Order(3)
  void proposalsOverLocalPathsOrWithoutADaemonFailWithOneLine() throws Exception {
    Path byPath =
        Files.writeString(
            dir.resolve("by-path.yml"),
            """
            merge_method: linear
            models:
              - model: %s
                parameters: {weight: 0.5}
              - model: %s
                parameters: {weight: 0.5}
            """
                .formatted(
                    ZOO.resolve("arith").toAbsolutePath(),
                    ZOO.resolve("relational").toAbsolutePath()));
    CliRun paths =
        CliRun.of("round", "propose", byPath.toString(), "--home", homes.get("arith").toString());
    assertThat(paths.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(paths.err()).contains(byPath.toString()).contains("is not an expert id");
    assertThat(paths.errLines()).isEqualTo(1);

    CliRun noDaemon =
        CliRun.of(
            "round",
            "propose",
            dir.resolve("round.yml").toString(),
            "--home",
            homes.get("proposer").toString());
    assertThat(noDaemon.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(noDaemon.err()).contains("no node daemon runs on this home");
    assertThat(noDaemon.errLines()).isEqualTo(1);

    CliRun otherFederation =
        CliRun.of(
            "round",
            "propose",
            dir.resolve("round.yml").toString(),
            "--federation",
            "elsewhere",
            "--home",
            homes.get("arith").toString());
    assertThat(otherFederation.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(otherFederation.err()).contains("is in federation '" + FEDERATION + "'");
    assertThat(otherFederation.errLines()).isEqualTo(1);
  }
}
