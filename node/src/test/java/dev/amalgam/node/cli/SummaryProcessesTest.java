package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.amalgam.node.daemon.NodeDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
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
 * Distribution summaries over the network, between separate JVMs on loopback through the CLI: a
 * bootstrap peer, node A serving a summary of the zoo's base model on 6 generated examples, and
 * node B, which lists it, fetches it by id for {@code fuse}, and turns away a node serving corrupt
 * blocks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class SummaryProcessesTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final String FEDERATION = "summarytest";
  private static final String BASE = Path.of("..", "zoo", "models", "base").toString();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Path dir;
  private final List<AmalgamProcess> processes = new ArrayList<>();
  private String bootstrapAddr;
  private Path data;
  private Path summary;
  private String summaryId;
  private String datasetId;
  private String modelId;
  private AmalgamProcess nodeA;
  private String peerA;
  private Path homeB;
  private AmalgamProcess nodeB;

  @BeforeAll
  void startNodes(@TempDir Path tmp) throws Exception {
    dir = tmp;
    AmalgamProcess bootstrap = track(AmalgamProcess.startBootstrap(FEDERATION));
    bootstrapAddr = bootstrap.awaitValue("listening on ", START);
    data = dir.resolve("data.jsonl");
    CliRun gen =
        CliRun.of("tasks", "generate", "--task", "arithmetic", "--n", "6", "-o", data.toString());
    assertThat(gen.exitCode()).as(gen.err()).isZero();
    summary = dir.resolve("summary");
    CliRun summarize = summarize(summary, "4");
    summaryId = valueOf(summarize.out(), "summary id");
    datasetId = valueOf(summarize.out(), "dataset id");
    modelId = valueOf(summarize.out(), "source model");

    Path homeA = initHome("a");
    CliRun add = CliRun.of("summary", "add", summary.toString(), "--home", homeA.toString());
    assertThat(add.exitCode()).as(add.err()).isZero();
    assertThat(add.out().strip()).isEqualTo(summaryId);
    nodeA = track(AmalgamProcess.start("a", "node", "start", "--home", homeA.toString()));
    peerA = nodeA.awaitValue("listening on ", START).split("/p2p/")[1];
    nodeA.awaitLine(l -> l.contains(" summary served " + summaryId), START, "'summary served'");
    nodeA.awaitLine(
        l -> l.contains(" summary announced " + summaryId), START, "'summary announced'");

    homeB = initHome("b");
    nodeB = track(AmalgamProcess.start("b", "node", "start", "--home", homeB.toString()));
    nodeB.awaitLine(l -> l.contains(" joined "), START, "'joined'");
  }

  @AfterAll
  void stopEverything() {
    processes.forEach(AmalgamProcess::close);
  }

  private AmalgamProcess track(AmalgamProcess p) {
    processes.add(p);
    return p;
  }

  private CliRun summarize(Path out, String topK) {
    CliRun run =
        CliRun.of(
            "summarize", BASE, "--data", data.toString(), "-o", out.toString(), "--top-k", topK);
    assertThat(run.exitCode()).as(run.err()).isZero();
    return run;
  }

  private static String valueOf(String out, String label) {
    return out.lines()
        .filter(l -> l.startsWith(label + " "))
        .findFirst()
        .orElseThrow()
        .substring(label.length())
        .strip();
  }

  private Path initHome(String name) {
    Path home = dir.resolve(name);
    CliRun.initLoopbackHome(home, bootstrapAddr, FEDERATION);
    return home;
  }

  /** Every file of a summary directory by relative path, with its bytes. */
  private static Map<String, byte[]> files(Path root) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private static void assertSameFiles(Path actual, Path expected) throws Exception {
    Map<String, byte[]> want = files(expected);
    Map<String, byte[]> got = files(actual);
    assertThat(got.keySet()).isEqualTo(want.keySet());
    want.forEach((name, bytes) -> assertThat(got.get(name)).as(name).isEqualTo(bytes));
  }

  @Test
  @Order(1)
  void nodeBListsTheSummaryNoteOfNodeAAndFiltersByDatasetAndModel() throws Exception {
    nodeB.awaitLine(
        l -> l.contains(" summary note accepted " + summaryId), START, "'summary note accepted'");
    CliRun all = CliRun.of("summaries", "--json", "--home", homeB.toString());
    assertThat(all.exitCode()).as(all.err()).isZero();
    JsonNode list = JSON.readTree(all.out());
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path("id").asText()).isEqualTo(summaryId);
    assertThat(list.get(0).path("peer").asText()).isEqualTo(peerA);
    assertThat(list.get(0).path("top_k").asInt()).isEqualTo(4);
    assertThat(list.get(0).path("sequences").asInt()).isEqualTo(6);

    CliRun both =
        CliRun.of(
            "summaries", "--dataset", datasetId, "--model", modelId, "--home", homeB.toString());
    assertThat(both.out()).contains(summaryId);
    CliRun other =
        CliRun.of("summaries", "--dataset", "nosuchdataset", "--json", "--home", homeB.toString());
    assertThat(JSON.readTree(other.out())).isEmpty();

    CliRun key = CliRun.of("summary", "key", "--dataset", datasetId, "--model", modelId);
    assertThat(key.exitCode()).as(key.err()).isZero();
    assertThat(nodeA.output())
        .contains("summary announced " + summaryId)
        .contains(" key " + key.out().strip() + " ");
    CliRun providers =
        CliRun.of("dht", "providers", key.out().strip(), "--bootstrap", bootstrapAddr, "--json");
    assertThat(providers.exitCode()).as(providers.err()).isZero();
    assertThat(providers.out()).contains(peerA);
  }

  @Test
  @Order(2)
  void fuseBySummaryIdOnNodeBFetchesItIntoTheCacheByteForByte() throws Exception {
    Path out = dir.resolve("fused");
    CliRun fuse =
        CliRun.of(
            "fuse",
            "--target",
            BASE,
            "--summary",
            summaryId,
            "--data",
            data.toString(),
            "-o",
            out.toString(),
            "--batch",
            "3",
            "--home",
            homeB.toString());
    assertThat(fuse.exitCode()).as(fuse.err()).isZero();
    assertThat(fuse.err()).contains("fetched summary " + summaryId).contains("from 1 peer(s)");
    assertThat(fuse.out()).contains("saved").contains("2 steps");
    Path cached = homeB.resolve("data").resolve("summaries").resolve(summaryId);
    assertSameFiles(cached, summary);
    assertThat(JSON.readTree(out.resolve("amalgam-fuse.json").toFile()).toString())
        .contains(summaryId);
    nodeB.awaitLine(
        l -> l.contains(" summary fetch done " + summaryId), START, "'summary fetch done'");

    Path again = dir.resolve("fetched-again");
    CliRun fetch =
        CliRun.of(
            "summary", "fetch", summaryId, "-o", again.toString(), "--home", homeB.toString());
    assertThat(fetch.exitCode()).as(fetch.err()).isZero();
    assertThat(fetch.out().strip()).isEqualTo(again.toString());
    assertSameFiles(again, summary);
  }

  @Test
  @Order(3)
  void summaryServedOnlyWithCorruptBlocksIsRejectedByCid() throws Exception {
    Path other = dir.resolve("summary-k3");
    String otherId = valueOf(summarize(other, "3").out(), "summary id");
    Path homeC = initHome("liar");
    CliRun add = CliRun.of("summary", "add", other.toString(), "--home", homeC.toString());
    assertThat(add.exitCode()).as(add.err()).isZero();
    AmalgamProcess liar =
        track(
            AmalgamProcess.startWithEnv(
                Map.of(NodeDaemon.TEST_ONLY_CORRUPT_BLOCKS_ENV, "1"),
                "liar",
                "node",
                "start",
                "--home",
                homeC.toString()));
    liar.awaitLine(l -> l.contains(" summary announced " + otherId), START, "'summary announced'");
    nodeB.awaitLine(
        l -> l.contains(" card rejected ") && l.contains("root of summary " + otherId),
        START,
        "note rejected");

    Path out = dir.resolve("never");
    CliRun fetch =
        CliRun.of("summary", "fetch", otherId, "-o", out.toString(), "--home", homeB.toString());
    assertThat(fetch.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(fetch.errLines()).as(fetch.err()).isEqualTo(1);
    assertThat(fetch.err()).contains("summary " + otherId).contains("corrupt");
    assertThat(out).doesNotExist();
    CliRun listed = CliRun.of("summaries", "--json", "--home", homeB.toString());
    assertThat(listed.out()).doesNotContain(otherId);

    // the corrupt root got the liar penalized in B's database, as a corrupt expert chunk would
    String liarPeer = liar.awaitValue("listening on ", START).split("/p2p/")[1];
    CliRun peers = CliRun.of("peers", "--json", "--home", homeB.toString());
    assertThat(peers.exitCode()).as(peers.err()).isZero();
    var penalty =
        java.util.stream.StreamSupport.stream(
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(peers.out())
                    .spliterator(),
                false)
            .filter(p -> p.get("id").asText().equals(liarPeer))
            .findFirst()
            .orElseThrow(() -> new AssertionError("liar not listed:\n" + peers.out()))
            .get("penalty");
    assertThat(penalty).as(peers.out()).isNotNull();
    assertThat(penalty.get("count").asLong()).isPositive();
  }

  @Test
  @Order(4)
  void truncatedSummaryDirectoryIsRejectedByCidInOneLine() throws Exception {
    Path copy = dir.resolve("truncated");
    for (Map.Entry<String, byte[]> f : files(summary).entrySet()) {
      Path to = copy.resolve(f.getKey());
      Files.createDirectories(to.getParent());
      Files.write(to, f.getValue());
    }
    Path block;
    try (Stream<Path> blocks = Files.list(copy.resolve("blocks"))) {
      block = blocks.findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(block);
    Files.write(block, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    CliRun add = CliRun.of("summary", "add", copy.toString(), "--home", homeB.toString());
    assertThat(add.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(add.errLines()).as(add.err()).isEqualTo(1);
    assertThat(add.err()).contains(block.toString()).contains("does not match its CID");

    CliRun fuse =
        CliRun.of(
            "fuse",
            "--target",
            BASE,
            "--summary",
            copy.toString(),
            "--data",
            data.toString(),
            "-o",
            dir.resolve("never-fused").toString(),
            "--home",
            homeB.toString());
    assertThat(fuse.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(fuse.errLines()).as(fuse.err()).isEqualTo(1);
    assertThat(fuse.err()).contains("does not match its CID (truncated or corrupt)");
  }

  @Test
  @Order(5)
  void summaryRemovedFromNodeAIsNoLongerListedAsHosted() throws Exception {
    Path homeA = dir.resolve("a");
    CliRun list = CliRun.of("summary", "list", "--json", "--home", homeA.toString());
    assertThat(JSON.readTree(list.out()).get(0).path("id").asText()).isEqualTo(summaryId);
    CliRun remove = CliRun.of("summary", "remove", summaryId, "--home", homeA.toString());
    assertThat(remove.exitCode()).as(remove.err()).isZero();
    nodeA.awaitLine(l -> l.contains(" summary removed " + summaryId), START, "'summary removed'");
    assertThat(
            JSON.readTree(CliRun.of("summary", "list", "--json", "--home", homeA.toString()).out()))
        .isEmpty();
    CliRun again = CliRun.of("summary", "remove", summaryId, "--home", homeA.toString());
    assertThat(again.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(again.err()).contains("serves no summary " + summaryId);
  }
}
