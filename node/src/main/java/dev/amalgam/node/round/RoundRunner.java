package dev.amalgam.node.round;

import dev.amalgam.bootstrap.EventLog;
import dev.amalgam.bootstrap.FederationDescriptor;
import dev.amalgam.bootstrap.round.DevSet;
import dev.amalgam.bootstrap.round.RoundMessages;
import dev.amalgam.bootstrap.round.RoundProposal;
import dev.amalgam.bootstrap.round.RoundResult;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.engine.MergeExecutor;
import dev.amalgam.merge.engine.MergeProgress;
import dev.amalgam.merge.engine.MergeResult;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import dev.amalgam.node.home.NodeConfig;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * A node's part in merge rounds, when its config volunteers: for each proposal it takes on, it
 * finds the inputs (hosted here, cached under {@code DATA_DIR/experts/ID}, or fetched from the
 * federation), merges them by the recipe into {@code DATA_DIR/rounds/ID/output}, evaluates the
 * output on the proposal's dev set, hosts it (its card carries the provenance), and publishes a
 * signed result with the output id and the scores.
 */
public final class RoundRunner {
  /**
   * Test-only fault injection: when this environment variable is {@code 1}, the node publishes a
   * made-up output id in its round results (it still hosts the real output). Never set it in
   * production.
   */
  public static final String TEST_ONLY_LIE_ABOUT_OUTPUT_ID_ENV =
      "AMALGAM_TEST_ONLY_LIE_ABOUT_OUTPUT_ID";

  /** What the runner needs from its node. */
  public interface Node {
    PeerId self();

    PrivateKey identity();

    Path dataDir();

    /** The checkpoint of an expert this node hosts, or null. */
    Path hostedPath(String expertId) throws IOException;

    /** The size of an expert as its card (or this node's registry) says, if known. */
    OptionalLong knownSize(String expertId) throws IOException;

    void fetch(String expertId, Path target) throws IOException, InterruptedException;

    /** Hosts a checkpoint and returns its expert id. */
    String host(Path checkpoint, String name, Map<String, Double> scores) throws IOException;

    /** Publishes a signed message on the merges topic; returns the peers it went to. */
    int publish(byte[] envelope);
  }

  private final Node node;
  private final RoundBook book;
  private final FederationDescriptor federation;
  private final NodeConfig.Rounds config;
  private final EventLog log;
  private final Semaphore slots;
  private final DevSetEvaluator evaluator = new DevSetEvaluator();
  private final boolean lie;

  public RoundRunner(
      Node node,
      RoundBook book,
      FederationDescriptor federation,
      NodeConfig.Rounds config,
      EventLog log) {
    this.node = node;
    this.federation = federation;
    this.book = book;
    this.config = config;
    this.log = log;
    this.slots = new Semaphore(config.maxConcurrent());
    this.lie = "1".equals(System.getenv(TEST_ONLY_LIE_ABOUT_OUTPUT_ID_ENV));
    if (lie) {
      log.event("TEST ONLY", TEST_ONLY_LIE_ABOUT_OUTPUT_ID_ENV + "=1: lying about output ids");
    }
  }

  /**
   * The expert ids a recipe refers to, in order; every model of a round must be one.
   *
   * @throws IllegalArgumentException naming the first reference that is not an expert id
   */
  public static List<String> inputsOf(Recipe recipe, String where) {
    Set<String> ids = new LinkedHashSet<>();
    for (String ref : recipe.referencedModels()) {
      try {
        Cid.parse(ref);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            where
                + ": model '"
                + ref
                + "' is not an expert id (a round's models must be expert ids that every peer"
                + " can fetch)");
      }
      ids.add(ref);
    }
    return List.copyOf(ids);
  }

  /** Takes the proposal on when the config allows, waiting for a free slot; returns at once. */
  public void consider(RoundProposal.Signed s, Runnable onDone) throws IOException {
    String id = s.id().toString();
    if (!config.participate() || book.run(id).isPresent()) {
      return;
    }
    String why = reasonToSkip(s.proposal());
    if (why != null) {
      book.setRun(id, "skipped", why);
      log.event("round skipped", id + ": " + why);
      return;
    }
    book.setRun(id, "queued", "waiting for one of " + config.maxConcurrent() + " round slots");
    Thread.ofVirtual()
        .name("amalgam-round-" + id.substring(id.length() - 8))
        .start(
            () -> {
              try {
                slots.acquire();
                try {
                  run(s);
                } finally {
                  slots.release();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                onDone.run();
              }
            });
  }

  private String reasonToSkip(RoundProposal p) throws IOException {
    if (!p.federation().equals(federation.name())) {
      return "proposed to federation '"
          + p.federation()
          + "', this node is in '"
          + federation.name()
          + "'";
    }
    String devSet = devSetRefusal(p.devSet(), federation.evaluationDatasets());
    if (devSet != null) {
      return devSet;
    }
    long total = 0;
    for (Cid input : p.inputs()) {
      OptionalLong size = node.knownSize(input.toString());
      if (size.isEmpty()) {
        return "no card known for input " + input + " (its size is unknown)";
      }
      total += size.getAsLong();
    }
    if (total > config.maxInputBytes()) {
      return "inputs total "
          + total
          + " bytes, over rounds.max_input_bytes "
          + config.maxInputBytes();
    }
    return null;
  }

  private void run(RoundProposal.Signed s) {
    String id = s.id().toString();
    RoundProposal p = s.proposal();
    try {
      book.setRun(id, "running", "fetching inputs");
      log.event("round started", id + " merging " + p.inputs().size() + " inputs");
      Recipe recipe = RecipeParser.parse(p.recipe(), "proposal " + id);
      List<String> refs = inputsOf(recipe, "proposal " + id);
      if (!Set.copyOf(refs).equals(Set.copyOf(p.inputs().stream().map(Cid::toString).toList()))) {
        throw new IllegalArgumentException(
            "the recipe's models " + refs + " are not the proposal's inputs " + p.inputs());
      }
      Path dir = node.dataDir().resolve("rounds").resolve(id);
      MergeResult merged = merge(recipe, refs, dir.resolve("output"));
      book.setRun(id, "running", "evaluating " + merged.outputId());
      Map<String, Double> scores = evaluator.evaluate(merged.directory(), p.devSet());
      String hosted =
          node.host(merged.directory(), "round-" + id.substring(id.length() - 8), scores);
      String claimed = lie ? madeUp(hosted) : hosted;
      RoundResult.Signed r =
          new RoundResult(
                  node.self(),
                  s.id(),
                  Cid.parse(claimed),
                  p.devSet().id(),
                  scores,
                  System.currentTimeMillis())
              .seal(node.identity());
      book.offer(new RoundMessages.Result(r), System.currentTimeMillis());
      int peers = node.publish(r.envelope());
      book.setRun(id, "done", "output " + claimed);
      log.event(
          "round result published",
          id + " output " + claimed + " scores " + scores + " to " + peers + " peers");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      recordFailure(id, "interrupted");
    } catch (IOException | RuntimeException e) {
      recordFailure(id, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private void recordFailure(String id, String why) {
    log.event("round failed", id + ": " + why);
    try {
      book.setRun(id, "failed", why);
    } catch (IOException e) {
      log.event("database write failed", e.getMessage());
    }
  }

  private MergeResult merge(Recipe recipe, List<String> refs, Path output)
      throws IOException, InterruptedException {
    Map<String, Checkpoint> inputs = new LinkedHashMap<>();
    try {
      for (String ref : refs) {
        inputs.put(ref, Checkpoint.open(locate(ref)));
      }
      Map<String, String> ids = new LinkedHashMap<>();
      refs.forEach(r -> ids.put(r, r));
      return MergeExecutor.run(
          recipe,
          inputs,
          output,
          new MergeExecutor.Options(
              Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
              CheckpointWriter.DEFAULT_SHARD_BYTES,
              true,
              MergeProgress.NONE,
              ids,
              true));
    } finally {
      inputs.values().forEach(Checkpoint::close);
    }
  }

  /** Hosted here, else in the expert cache, else fetched into it (the same cache as merge). */
  private Path locate(String id) throws IOException, InterruptedException {
    Path hosted = node.hostedPath(id);
    if (hosted != null) {
      return hosted;
    }
    Path cached = node.dataDir().resolve("experts").resolve(id);
    if (!Files.isDirectory(cached)) {
      node.fetch(id, cached);
    }
    return cached;
  }

  private static String madeUp(String real) {
    Cid c = Cid.parse(real);
    return Cid.v1(c.codec(), Multihash.sha256(("not " + real).getBytes(StandardCharsets.US_ASCII)))
        .toString();
  }

  /** The dev set a node's federation allows: any, or one of the descriptor's evaluation ids. */
  public static String devSetRefusal(DevSet devSet, List<String> allowed) {
    if (allowed.isEmpty() || allowed.contains(devSet.id().toString())) {
      return null;
    }
    return "dev set "
        + devSet.id()
        + " is not one of the federation's evaluation datasets "
        + allowed;
  }
}
