package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.node.daemon.NodeDaemon;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.home.NodeStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * {@code amalgam fetch} between separate JVMs on loopback: a bootstrap peer and two provider nodes
 * hosting the same 8 MiB expert (each upload limited to 1 MiB/s per peer, so a fetch takes a few
 * seconds), a fetching node, and later a third provider rigged to serve corrupt blocks. From the
 * penalty test on, the fetching node's daemon runs, so the later fetches and merges go through it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class FetchProcessesTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final String FEDERATION = "fetchtest";
  private static final long UPLOAD_LIMIT = 1 << 20;
  private static final Pattern SUMMARY =
      Pattern.compile(
          "fetched \\S+.*: (\\d+) chunks, .* from (\\d+) peer\\(s\\), (\\d+) chunks resumed");

  private Path dir;
  private final List<AmalgamProcess> processes = new ArrayList<>();
  private String bootstrapAddr;
  private Path expert;
  private String expertId;
  private int expertChunks;
  private Path fetcherHome;
  private final List<String> providerPeers = new ArrayList<>();
  private final List<AmalgamProcess> providers = new ArrayList<>();
  private final List<Path> providerHomes = new ArrayList<>();
  private String liarPeer;
  private AmalgamProcess liar;
  private AmalgamProcess fetcherDaemon;
  private final List<String> mergeInputIds = new ArrayList<>();

  @BeforeAll
  void startProviders(@TempDir Path tmp) throws Exception {
    dir = tmp;
    AmalgamProcess bootstrap = track(AmalgamProcess.startBootstrap(FEDERATION));
    bootstrapAddr = bootstrap.awaitValue("listening on ", START);
    expert = eightMibExpert(dir.resolve("expert"));
    try (Checkpoint c = Checkpoint.open(expert)) {
      var m = Fingerprinter.withAvailableCores().manifest(c);
      expertId = m.id().toString();
      expertChunks = (int) m.chunkCount();
    }
    for (int i = 0; i < 2; i++) {
      Path home = initHome("provider" + i);
      providerHomes.add(home);
      // each provider serves its own copy of the same expert
      Path copy = dir.resolve("copy" + i);
      copyTree(expert, copy);
      addExpert(home, copy);
      providers.add(
          track(AmalgamProcess.start("provider" + i, "node", "start", "--home", home.toString())));
    }
    for (AmalgamProcess p : providers) {
      providerPeers.add(p.awaitValue("listening on ", START).split("/p2p/")[1]);
      p.awaitLine(l -> l.contains(" expert served " + expertId), START, "'expert served'");
      p.awaitLine(l -> l.contains(" expert announced " + expertId), START, "'expert announced'");
    }
    fetcherHome = initHome("fetcher");
  }

  @AfterAll
  void stopEverything() {
    processes.forEach(AmalgamProcess::close);
  }

  private AmalgamProcess track(AmalgamProcess p) {
    processes.add(p);
    return p;
  }

  /** Four 2 MiB tensors and a config: 9 chunks. */
  private static Path eightMibExpert(Path out) throws Exception {
    return expertOf2MibTensors(out, 4, 7);
  }

  /** {@code tensors} 2 MiB tensors of random values from {@code seed}, and a config. */
  private static Path expertOf2MibTensors(Path out, int tensors, long seed) throws Exception {
    List<TensorInfo> plan = new ArrayList<>();
    for (int i = 0; i < tensors; i++) {
      plan.add(TensorInfo.of("model.layers." + i + ".mlp.weight", DType.BF16, 1024, 1024));
    }
    try (CheckpointWriter w =
        CheckpointWriter.create(out, plan, CheckpointWriter.DEFAULT_SHARD_BYTES)) {
      SplittableRandom r = new SplittableRandom(seed);
      for (TensorInfo t : plan) {
        float[] v = new float[(int) t.elementCount()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) r.nextGaussian();
        }
        w.writeFloats(t.name(), v);
      }
      w.writeFile("config.json", "{\"model_type\":\"fetchtest\"}".getBytes(StandardCharsets.UTF_8));
      return w.commit(false);
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private Path initHome(String name) throws Exception {
    Path home = dir.resolve(name);
    CliRun.initLoopbackHome(home, bootstrapAddr, FEDERATION);
    Path config = home.resolve(NodeHome.CONFIG);
    Files.writeString(
        config,
        Files.readString(config)
            .replace(
                "upload_bytes_per_second_per_peer: 0",
                "upload_bytes_per_second_per_peer: " + UPLOAD_LIMIT));
    return home;
  }

  private static void addExpert(Path home, Path ckpt) {
    CliRun add = CliRun.of("expert", "add", ckpt.toString(), "--home", home.toString());
    assertThat(add.exitCode()).as(add.err()).isZero();
  }

  private String expertIdOf(Path ckpt) throws Exception {
    try (Checkpoint c = Checkpoint.open(ckpt)) {
      return Fingerprinter.withAvailableCores().manifest(c).id().toString();
    }
  }

  /** Runs {@code amalgam fetch} in its own JVM and kills it (SIGKILL) once it is past 10 %. */
  private void killFetchMidway(String name, String id, Path out) throws Exception {
    try (AmalgamProcess fetch =
        track(
            AmalgamProcess.start(
                name, "fetch", id, "-o", out.toString(), "--home", fetcherHome.toString()))) {
      fetch.awaitLine(l -> l.matches("fetch +[1-9]\\d% .*"), START, "'fetch NN%'");
    }
  }

  private static Matcher summary(CliRun run) {
    Matcher m = SUMMARY.matcher(run.err());
    assertThat(m.find()).as("summary line in:\n" + run.err()).isTrue();
    return m;
  }

  @Test
  @Order(10)
  void daemonFetchesFromBothProvidersAndTheResultHasTheRequestedId() throws Exception {
    AmalgamProcess fetcher =
        track(AmalgamProcess.start("fetcher", "node", "start", "--home", fetcherHome.toString()));
    fetcher.awaitLine(l -> l.contains(" joined "), START, "'joined'");
    Path out = dir.resolve("out-daemon");
    CliRun run =
        CliRun.of("fetch", expertId, "-o", out.toString(), "--home", fetcherHome.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo(out.toString());
    Matcher m = summary(run);
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(expertChunks);
    assertThat(Integer.parseInt(m.group(2))).as(run.err()).isEqualTo(2);
    assertThat(expertIdOf(out)).isEqualTo(expertId);
    fetcher.awaitLine(l -> l.contains(" fetch done " + expertId), START, "'fetch done'");
    fetcher.stop();
  }

  @Test
  @Order(20)
  void fetchKilledMidwayResumesWithoutRefetchingVerifiedChunks() throws Exception {
    Path out = dir.resolve("out-resumed");
    killFetchMidway("fetch1", expertId, out);
    int recorded;
    try (NodeStore store = NodeStore.open(fetcherHome.resolve(NodeHome.STATE))) {
      recorded = store.fetchedChunks(expertId, out.toString()).size();
    }
    assertThat(recorded).isBetween(1, expertChunks - 1);
    assertThat(out).doesNotExist();

    CliRun again =
        CliRun.of("fetch", expertId, "-o", out.toString(), "--home", fetcherHome.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    Matcher m = summary(again);
    int fetched = Integer.parseInt(m.group(1));
    int resumed = Integer.parseInt(m.group(3));
    assertThat(resumed).isGreaterThanOrEqualTo(recorded);
    assertThat(fetched + resumed).isEqualTo(expertChunks);
    assertThat(expertIdOf(out)).isEqualTo(expertId);
    try (NodeStore store = NodeStore.open(fetcherHome.resolve(NodeHome.STATE))) {
      assertThat(store.fetchedChunks(expertId, out.toString())).isEmpty();
    }
  }

  @Test
  @Order(30)
  void tensorsOfTwoLayersFetchesOnlyThose() throws Exception {
    Path out = dir.resolve("out-two-layers");
    CliRun run =
        CliRun.of(
            "fetch",
            expertId,
            "-o",
            out.toString(),
            "--tensors",
            "model.layers.{1,2}.*",
            "--home",
            fetcherHome.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Integer.parseInt(summary(run).group(1))).isEqualTo(2 * 2 + 1);
    try (Checkpoint c = Checkpoint.open(out)) {
      assertThat(c.tensorNames())
          .containsExactlyInAnyOrder("model.layers.1.mlp.weight", "model.layers.2.mlp.weight");
      try (Checkpoint whole = Checkpoint.open(expert)) {
        assertThat(
                c.bytes("model.layers.2.mlp.weight")
                    .mismatch(whole.bytes("model.layers.2.mlp.weight")))
            .as("first differing byte")
            .isEqualTo(-1);
      }
    }
  }

  @Test
  @Order(40)
  void providerServingCorruptBlocksIsDroppedAndTheFetchCompletesFromTheOthers() throws Exception {
    Path home = initHome("liar");
    Path copy = dir.resolve("copy-liar");
    copyTree(expert, copy);
    addExpert(home, copy);
    liar =
        track(
            AmalgamProcess.startWithEnv(
                Map.of(NodeDaemon.TEST_ONLY_CORRUPT_BLOCKS_ENV, "1"),
                "liar",
                "node",
                "start",
                "--home",
                home.toString()));
    liarPeer = liar.awaitValue("listening on ", START).split("/p2p/")[1];
    liar.awaitLine(l -> l.contains(" expert announced " + expertId), START, "'expert announced'");
    Path out = dir.resolve("out-despite-liar");
    CliRun run =
        CliRun.of("fetch", expertId, "-o", out.toString(), "--home", fetcherHome.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("dropped {").contains(liarPeer);
    assertThat(expertIdOf(out)).isEqualTo(expertId);
  }

  @Test
  @Order(50)
  void badRequestsFailWithOneLine() throws Exception {
    String home = fetcherHome.toString();
    String nobodyHostsThis;
    try (Checkpoint c = Checkpoint.open(InspectCommandTest.EXAMPLE)) {
      nobodyHostsThis = Fingerprinter.withAvailableCores().manifest(c).id().toString();
    }
    CliRun unknown =
        CliRun.of("fetch", nobodyHostsThis, "-o", dir.resolve("x").toString(), "--home", home);
    assertThat(unknown.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(unknown.err()).contains("no providers found for expert " + nobodyHostsThis);
    assertThat(unknown.errLines()).isEqualTo(1);

    CliRun exists = CliRun.of("fetch", expertId, "-o", expert.toString(), "--home", home);
    assertThat(exists.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(exists.err()).contains("already exists").contains(expert.toString());
    assertThat(exists.errLines()).isEqualTo(1);

    CliRun notAnId = CliRun.of("fetch", "hello", "-o", dir.resolve("y").toString(), "--home", home);
    assertThat(notAnId.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(notAnId.err()).contains("'hello' is not an expert id");
    assertThat(notAnId.errLines()).isEqualTo(1);
  }

  @Test
  @Order(55)
  void penalizedProviderIsLeftOutOfLaterFetchesAndItsRecordOutlivesTheProcess() throws Exception {
    // another expert, hosted by provider0 and by the liar the corrupt fetch above penalized
    Path second = TinyModels.variant(dir.resolve("second"), 55);
    String secondId = expertIdOf(second);
    for (Path home : List.of(providerHomes.get(0), dir.resolve("liar"))) {
      Path copy = dir.resolve("second-" + home.getFileName());
      copyTree(second, copy);
      addExpert(home, copy);
    }
    for (AmalgamProcess p : List.of(providers.get(0), liar)) {
      p.awaitLine(l -> l.contains(" expert announced " + secondId), START, "'expert announced'");
    }
    Path out = dir.resolve("out-second");
    CliRun run =
        CliRun.of("fetch", secondId, "-o", out.toString(), "--home", fetcherHome.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err())
        .contains("skipped penalized [" + liarPeer + "]")
        .doesNotContain("dropped");
    assertThat(Integer.parseInt(summary(run).group(2))).as(run.err()).isEqualTo(1);
    assertThat(expertIdOf(out)).isEqualTo(secondId);

    CliRun offline = CliRun.of("peers", "--home", fetcherHome.toString());
    assertThat(offline.exitCode()).as(offline.err()).isZero();
    assertThat(offline.out().lines().filter(l -> l.startsWith(liarPeer)))
        .singleElement()
        .asString()
        .containsPattern("penalized \\d+x until ");

    fetcherDaemon =
        track(AmalgamProcess.start("fetcher", "node", "start", "--home", fetcherHome.toString()));
    fetcherDaemon.awaitLine(l -> l.contains(" joined "), START, "'joined'");
    CliRun peers = CliRun.of("peers", "--json", "--home", fetcherHome.toString());
    assertThat(peers.exitCode()).as(peers.err()).isZero();
    var listed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(peers.out());
    var penalty =
        java.util.stream.StreamSupport.stream(listed.spliterator(), false)
            .filter(p -> p.get("id").asText().equals(liarPeer))
            .findFirst()
            .orElseThrow(() -> new AssertionError("liar not listed:\n" + peers.out()))
            .get("penalty");
    assertThat(penalty).as(peers.out()).isNotNull();
    assertThat(penalty.get("count").asLong()).isPositive();
    assertThat(penalty.get("reason").asText()).isNotEmpty();
  }

  @Test
  @Order(60)
  void mergeByIdsOnTwoNodesFetchesTheInputsAndGivesEqualOutputIds() throws Exception {
    List<String> ids = mergeInputIds;
    for (int i = 0; i < 2; i++) {
      Path ckpt = TinyModels.variant(dir.resolve("merge-input" + i), 40 + i);
      CliRun add =
          CliRun.of("expert", "add", ckpt.toString(), "--home", providerHomes.get(i).toString());
      assertThat(add.exitCode()).as(add.err()).isZero();
      String id = add.out().strip();
      ids.add(id);
      providers
          .get(i)
          .awaitLine(l -> l.contains(" expert announced " + id), START, "'expert announced'");
    }
    Path recipe =
        Files.writeString(
            dir.resolve("by-ids.yml"),
            """
            merge_method: linear
            models:
              - model: %s
                parameters: {weight: 0.3}
              - model: %s
                parameters: {weight: 0.7}
            """
                .formatted(ids.get(0), ids.get(1)));
    List<String> outputs = new ArrayList<>();
    for (Path home : List.of(fetcherHome, initHome("merger2"))) {
      Path out = home.resolve("merged");
      CliRun merge =
          CliRun.of("merge", recipe.toString(), "-o", out.toString(), "--home", home.toString());
      assertThat(merge.exitCode()).as(merge.err()).isZero();
      for (String id : ids) {
        assertThat(home.resolve("data/experts").resolve(id)).isDirectory();
      }
      outputs.add(expertIdOf(out));
    }
    assertThat(outputs.get(0)).isEqualTo(outputs.get(1));

    Path merged = fetcherHome.resolve("merged");
    CliRun add = CliRun.of("expert", "add", merged.toString(), "--home", fetcherHome.toString());
    assertThat(add.exitCode()).as(add.err()).isZero();
    CliRun list = CliRun.of("expert", "list", "--json", "--home", fetcherHome.toString());
    var hosted = new com.fasterxml.jackson.databind.ObjectMapper().readTree(list.out());
    var mine = hosted.get(hosted.size() - 1);
    assertThat(mine.get("id").asText()).isEqualTo(outputs.get(0));
    assertThat(mine.get("merged_from").toString()).contains(ids.get(0)).contains(ids.get(1));
    assertThat(mine.get("recipe_sha256").asText()).hasSize(64);
  }

  @Test
  @Order(65)
  void mergeOfSlicesByIdsFetchesOnlyTheTensorsItReadsAndEqualsTheMergeOfTheLocalCopies()
      throws Exception {
    String recipe =
        """
        merge_method: passthrough
        slices:
          - sources:
              - model: %s
                layer_range: [0, 1]
          - sources:
              - model: %s
                layer_range: [1, 2]
        """;
    Path byIds =
        Files.writeString(
            dir.resolve("slices-by-ids.yml"),
            recipe.formatted(mergeInputIds.get(0), mergeInputIds.get(1)));
    Path byPaths =
        Files.writeString(
            dir.resolve("slices-by-paths.yml"),
            recipe.formatted(dir.resolve("merge-input0"), dir.resolve("merge-input1")));
    Path home = initHome("merger3");
    Path merged = home.resolve("merged");
    CliRun merge =
        CliRun.of("merge", byIds.toString(), "-o", merged.toString(), "--home", home.toString());
    assertThat(merge.exitCode()).as(merge.err()).isZero();
    for (int i = 0; i < 2; i++) {
      String id = mergeInputIds.get(i);
      Matcher m =
          Pattern.compile(
                  "fetched expert "
                      + id
                      + " for the merge: (\\d+) of (\\d+) tensors, \\d+ chunks, (\\d+) bytes")
              .matcher(merge.err());
      assertThat(m.find()).as(merge.err()).isTrue();
      assertThat(Integer.parseInt(m.group(1))).isLessThan(Integer.parseInt(m.group(2)));
      long whole;
      try (Checkpoint c = Checkpoint.open(dir.resolve("merge-input" + i))) {
        whole = Fingerprinter.withAvailableCores().manifest(c).totalBytes();
      }
      assertThat(Long.parseLong(m.group(3))).isPositive().isLessThan(whole);
      assertThat(home.resolve("data/experts").resolve(id))
          .as("an expert fetched in part is not in the cache as if complete")
          .doesNotExist();
    }
    assertThat(Files.readString(merged.resolve("amalgam-merge.json")))
        .contains("\"id\" : \"" + mergeInputIds.get(0) + "\"")
        .contains("\"id\" : \"" + mergeInputIds.get(1) + "\"");

    Path mergedLocally = dir.resolve("merged-locally");
    CliRun local =
        CliRun.of(
            "merge", byPaths.toString(), "-o", mergedLocally.toString(), "--home", home.toString());
    assertThat(local.exitCode()).as(local.err()).isZero();
    assertThat(outputId(merge)).isEqualTo(outputId(local)).isEqualTo(expertIdOf(mergedLocally));

    // a whole fetch into the cache resumes the partial one and completes it
    String first = mergeInputIds.get(0);
    Path cached = home.resolve("data/experts").resolve(first);
    CliRun whole = CliRun.of("fetch", first, "-o", cached.toString(), "--home", home.toString());
    assertThat(whole.exitCode()).as(whole.err()).isZero();
    Matcher m = summary(whole);
    int total;
    try (Checkpoint c = Checkpoint.open(dir.resolve("merge-input0"))) {
      total = (int) Fingerprinter.withAvailableCores().manifest(c).chunkCount();
    }
    assertThat(Integer.parseInt(m.group(3))).isPositive();
    assertThat(Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(3))).isEqualTo(total);
    assertThat(expertIdOf(cached)).isEqualTo(first);
  }

  private static String outputId(CliRun merge) {
    return merge
        .out()
        .lines()
        .filter(l -> l.startsWith("output id "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no output id in:\n" + merge.out()))
        .substring("output id ".length())
        .strip();
  }

  @Test
  @Order(70)
  void providerKilledMidFetchAndTheFetchCompletesFromTheOther() throws Exception {
    Path out = dir.resolve("out-provider-killed");
    try (AmalgamProcess fetch =
        track(
            AmalgamProcess.start(
                "fetch-kill-provider",
                "fetch",
                expertId,
                "-o",
                out.toString(),
                "--home",
                fetcherHome.toString()))) {
      fetch.awaitLine(l -> l.matches("fetch +[1-9]\\d% .*"), START, "'fetch NN%'");
      providers.get(1).close(); // SIGKILL
      String done = fetch.awaitLine(l -> l.startsWith("fetched "), START, "'fetched'");
      assertThat(done).contains("dropped").contains(providerPeers.get(1));
    }
    assertThat(expertIdOf(out)).isEqualTo(expertId);
  }

  @Test
  @Order(80)
  void daemonFetchOutlivesTheCliThatStartedItAndTheSameFetchAgainJoinsIt() throws Exception {
    // 10 MiB only provider0 hosts, at 1 MiB/s: about ten seconds
    Path slow = expertOf2MibTensors(dir.resolve("slow"), 5, 80);
    String slowId = expertIdOf(slow);
    addExpert(providerHomes.get(0), slow);
    providers
        .get(0)
        .awaitLine(l -> l.contains(" expert announced " + slowId), START, "'expert announced'");
    Path out = dir.resolve("out-outlives-its-cli");
    killFetchMidway("fetch-then-killed", slowId, out); // the daemon's fetch goes on

    CliRun status = CliRun.of("node", "status", "--json", "--home", fetcherHome.toString());
    assertThat(status.exitCode()).as(status.err()).isZero();
    var fetches =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out()).get("fetches");
    assertThat(fetches).as(status.out()).hasSize(1);
    assertThat(fetches.get(0).get("id").asText()).isEqualTo(slowId);
    assertThat(fetches.get(0).get("out").asText()).isEqualTo(out.toString());

    CliRun again =
        CliRun.of("fetch", slowId, "-o", out.toString(), "--home", fetcherHome.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.err()).contains("joined the fetch already running in the node daemon");
    assertThat(Integer.parseInt(summary(again).group(1))).isEqualTo(5 * 2 + 1);
    assertThat(expertIdOf(out)).isEqualTo(slowId);
    assertThat(fetcherDaemon.count(l -> l.contains(" fetch started " + slowId))).isEqualTo(1);
    fetcherDaemon.awaitLine(l -> l.contains(" fetch done " + slowId), START, "'fetch done'");
  }
}
