package dev.amalgam.merge.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.runtime.CausalLmTrainer;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderConfig;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.StepResult;
import dev.amalgam.merge.runtime.TrainingConfig;
import dev.amalgam.merge.runtime.TrainingExample;
import dev.amalgam.merge.runtime.WeightInitializer;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a {@link TrainRecipe}: builds or loads the model, draws batches from the task mix with a
 * seeded generator (the same recipe gives the same batches), trains, and saves a Hugging Face
 * checkpoint with the tokenizer and a copy of the recipe.
 */
public final class TrainingRun {
  /** Receives each step's result; called on the training thread. */
  public interface Listener {
    void step(StepResult result, int tokens, double seconds);
  }

  private TrainingRun() {}

  /**
   * @param recipe the recipe as {@link TrainRecipe#read} parsed it from {@code recipeFile}, whose
   *     folder resolves its paths and which is copied into the checkpoint
   */
  public static Path run(TrainRecipe recipe, Path recipeFile, Path output, Listener listener)
      throws IOException {
    Path dir = recipeFile.toAbsolutePath().getParent();
    Path tokenizerFile;
    DecoderModel model;
    if (recipe.base() != null) {
      Path base = dir.resolve(recipe.base());
      tokenizerFile =
          recipe.tokenizer() != null
              ? dir.resolve(recipe.tokenizer())
              : base.resolve("tokenizer.json");
      model = DecoderCheckpoints.load(base);
    } else {
      tokenizerFile = dir.resolve(recipe.tokenizer());
      ObjectNode json = recipe.init().deepCopy();
      DecoderConfig config = DecoderConfig.fromJson(json);
      model =
          DecoderModel.load(
              config, WeightInitializer.initialize(config, recipe.seed(), recipe.initStd()));
    }
    if (!Files.isRegularFile(tokenizerFile)) {
      model.close();
      throw new CheckpointException(tokenizerFile + ": tokenizer.json not found");
    }
    try (model;
        TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile)) {
      TaskEncoding encoding = TaskEncoding.of(tokenizer);
      List<List<TrainingExample>> pools = new ArrayList<>();
      double[] weights = new double[recipe.data().size()];
      for (int i = 0; i < recipe.data().size(); i++) {
        TrainRecipe.TaskMix mix = recipe.data().get(i);
        List<TrainingExample> pool = new ArrayList<>();
        for (TaskExample e :
            TaskFamilies.generate(
                TaskFamilies.byName(mix.task()), Split.TRAIN, mix.n(), recipe.seed() + i)) {
          pool.add(encoding.training(e));
        }
        pools.add(pool);
        weights[i] = mix.weight();
      }
      TrainingConfig schedule =
          new TrainingConfig(
              recipe.learningRate(),
              recipe.minLearningRate(),
              recipe.warmupSteps(),
              recipe.steps(),
              recipe.weightDecay(),
              0.9,
              0.95,
              1e-8,
              recipe.maxGradNorm());
      BatchDraw draw =
          new BatchDraw(
              pools,
              weights,
              new SplittableRandom(recipe.seed() * 31 + 7),
              recipe.batchSize(),
              recipe.lengthBuckets());
      try (CausalLmTrainer trainer = new CausalLmTrainer(model, schedule, recipe.microBatches())) {
        for (int s = 0; s < recipe.steps(); s++) {
          List<TrainingExample> batch = draw.next();
          int tokens = 0;
          for (TrainingExample ex : batch) {
            tokens += ex.tokens().length;
          }
          long t0 = System.nanoTime();
          StepResult result = trainer.step(batch);
          listener.step(result, tokens, (System.nanoTime() - t0) / 1e9);
        }
      }
      List<Path> sideFiles = List.of(tokenizerFile);
      Path saved =
          DecoderCheckpoints.save(model, output, DType.parse(recipe.outDtype()), sideFiles);
      DecoderCheckpoints.recordSpecialTokens(saved, encoding.bos(), encoding.eos());
      Files.copy(recipeFile, saved.resolve("amalgam-train.yml"));
      try (Checkpoint check = Checkpoint.open(saved)) {
        check.config().map(HfConfig::modelType).orElseThrow();
      }
      return saved;
    }
  }
}
