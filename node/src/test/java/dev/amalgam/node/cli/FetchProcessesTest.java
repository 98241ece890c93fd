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
 * seconds), a fetching node, and later a third provider rigged to serve corrupt blocks.
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
    List<TensorInfo> plan = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      plan.add(TensorInfo.of("model.layers." + i + ".mlp.weight", DType.BF16, 1024, 1024));
    }
    try (CheckpointWriter w =
        CheckpointWriter.create(out, plan, CheckpointWriter.DEFAULT_SHARD_BYTES)) {
      SplittableRandom r = new SplittableRandom(7);
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
    CliRun init =
        CliRun.of(
            "init",
            "--home",
            home.toString(),
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--bootstrap",
            bootstrapAddr,
            "--federation",
            FEDERATION,
            "--api-port",
            "0",
            "--no-mdns");
    assertThat(init.exitCode()).as(init.err()).isZero();
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

  private static Matcher summary(CliRun run) {
    Matcher m = SUMMARY.matcher(run.err());
    assertThat(m.find()).as("summary line in:\n" + run.err()).isTrue();
    return m;
  }

  @Test
  @Order(1)
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
  @Order(2)
  void fetchKilledMidwayResumesWithoutRefetchingVerifiedChunks() throws Exception {
    Path out = dir.resolve("out-resumed");
    try (AmalgamProcess first =
        track(
            AmalgamProcess.start(
                "fetch1",
                "fetch",
                expertId,
                "-o",
                out.toString(),
                "--home",
                fetcherHome.toString()))) {
      first.awaitLine(l -> l.matches("fetch +[1-9]\\d% .*"), START, "'fetch NN%'");
    } // killed (SIGKILL) mid-way
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
  @Order(3)
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
  @Order(4)
  void providerServingCorruptBlocksIsDroppedAndTheFetchCompletesFromTheOthers() throws Exception {
    Path home = initHome("liar");
    Path copy = dir.resolve("copy-liar");
    copyTree(expert, copy);
    addExpert(home, copy);
    AmalgamProcess liar =
        track(
            AmalgamProcess.startWithEnv(
                Map.of(NodeDaemon.TEST_ONLY_CORRUPT_BLOCKS_ENV, "1"),
                "liar",
                "node",
                "start",
                "--home",
                home.toString()));
    String liarPeer = liar.awaitValue("listening on ", START).split("/p2p/")[1];
    liar.awaitLine(l -> l.contains(" expert announced " + expertId), START, "'expert announced'");
    Path out = dir.resolve("out-despite-liar");
    CliRun run =
        CliRun.of("fetch", expertId, "-o", out.toString(), "--home", fetcherHome.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("dropped {").contains(liarPeer);
    assertThat(expertIdOf(out)).isEqualTo(expertId);
  }

  @Test
  @Order(5)
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
  @Order(6)
  void mergeByIdsOnTwoNodesFetchesTheInputsAndGivesEqualOutputIds() throws Exception {
    List<String> ids = new ArrayList<>();
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
  @Order(7)
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
}
