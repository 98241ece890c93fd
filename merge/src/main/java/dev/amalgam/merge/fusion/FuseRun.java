package dev.amalgam.merge.fusion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amalgam.merge.checkpoint.AtomicDirectory;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code amalgam fuse}: reads and checks the data and every summary (one-line errors before any
 * training), fuses the distributions with the target's own, fine-tunes the target and saves it as a
 * checkpoint of the target's family with {@value #PROVENANCE} beside the weights.
 */
public final class FuseRun {
  public static final String PROVENANCE = "amalgam-fuse.json";

  /** What a run did, for the CLI to print. */
  public record Result(
      Path output, FusionPlan plan, int steps, double firstLoss, double lastLoss) {}

  /** Called once the plan is ready (before training) and after every step. */
  public interface Listener extends FusedTraining.Listener {
    default void planned(FusionPlan plan, int steps) {}
  }

  private FuseRun() {}

  public static Result run(
      Path targetDir,
      List<Path> summaryDirs,
      Path dataFile,
      Path output,
      FuseOptions options,
      Listener listener)
      throws IOException {
    if (Files.exists(output)) {
      throw new IllegalArgumentException(output + ": already exists (choose another output)");
    }
    FusionData data = FusionData.read(dataFile);
    List<Summary> summaries = new ArrayList<>();
    for (Path dir : summaryDirs) {
      summaries.add(Summary.open(dir));
    }
    SummaryCompatibility.check(data, summaries);
    Path tokenizerFile = targetDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new CheckpointException(
          targetDir + ": has no tokenizer.json; fusion needs the target's tokenizer");
    }
    HfConfig config;
    Cid targetId;
    try (Checkpoint checkpoint = Checkpoint.open(targetDir)) {
      config =
          checkpoint
              .config()
              .orElseThrow(() -> new CheckpointException(targetDir + ": no config.json"));
      targetId = new Fingerprinter(1).manifest(checkpoint).id();
    }
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile);
        DecoderModel model = DecoderCheckpoints.load(targetDir)) {
      TaskEncoding encoding = TaskEncoding.of(tokenizer, config);
      FusionPlan plan = FusionPlan.prepare(data, summaries, model, encoding, options.rule());
      int steps = FusedTraining.steps(plan.examples().size(), options);
      listener.planned(plan, steps);
      double[] losses = {Double.NaN, Double.NaN};
      FusedTraining.train(
          model,
          plan.examples(),
          options,
          (result, total) -> {
            if (result.applied()) {
              if (Double.isNaN(losses[0])) {
                losses[0] = result.loss();
              }
              losses[1] = result.loss();
            }
            listener.step(result, total);
          });
      Path saved;
      try (AtomicDirectory side =
          AtomicDirectory.create(
              output.resolveSibling("." + output.getFileName() + ".provenance"))) {
        Path provenance = side.path().resolve(PROVENANCE);
        Files.writeString(
            provenance, provenance(targetId, data, summaries, options, plan, steps) + "\n");
        saved =
            DecoderCheckpoints.save(model, output, DType.F32, List.of(tokenizerFile, provenance));
      }
      DecoderCheckpoints.recordSpecialTokens(saved, encoding.bos(), encoding.eos());
      return new Result(saved, plan, steps, losses[0], losses[1]);
    }
  }

  private static String provenance(
      Cid targetId,
      FusionData data,
      List<Summary> summaries,
      FuseOptions options,
      FusionPlan plan,
      int steps) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("tool", "amalgam fuse");
    root.put("target", targetId.toString());
    ObjectNode dataset = root.putObject("dataset");
    dataset.put("id", data.id().toString());
    dataset.put("file", data.file().getFileName().toString());
    dataset.put("examples", data.examples().size());
    ArrayNode list = root.putArray("summaries");
    for (int i = 0; i < summaries.size(); i++) {
      Summary s = summaries.get(i);
      ObjectNode entry = list.addObject();
      entry.put("id", s.id().toString());
      entry.put("source_model", s.manifest().sourceModel().toString());
      entry.put("top_k", s.manifest().topK());
      entry.put("one_to_one_share", plan.projections().get(i).oneToOneShare());
      entry.put("exact_share", plan.projections().get(i).exactShare());
    }
    ObjectNode hyper = root.putObject("hyperparameters");
    hyper.put("fusion", options.rule().label());
    hyper.put("lambda", options.lambda());
    hyper.put("epochs", options.epochs());
    hyper.put("learning_rate", options.learningRate());
    hyper.put("batch_size", options.batchSize());
    hyper.put("seed", options.seed());
    hyper.put("steps", steps);
    root.put("target_chosen_sequences", plan.targetChosen());
    return root.toPrettyString();
  }
}
