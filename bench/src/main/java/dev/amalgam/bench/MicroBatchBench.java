package dev.amalgam.bench;

import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.runtime.CausalLmTrainer;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.TrainingConfig;
import dev.amalgam.merge.runtime.TrainingExample;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training steps of a zoo model on its real task batches, one batch in one pass against the same
 * batches cut into micro-batches of neighbouring lengths ({@code micro_batches} in a train config).
 * The variants take turns within each round, so a change in the machine's load hits them alike.
 *
 * <p>Usage: MicroBatchBench [MODEL_DIR] [TASK] [BATCH] [STEPS_PER_ROUND] [ROUNDS] (defaults:
 * zoo/models/family-b composite 32 10 5)
 */
public final class MicroBatchBench {
  private static final int[] MICRO_BATCHES = {1, 2, 4, 8};

  public static void main(String[] args) throws Exception {
    Path modelDir = Path.of(args.length > 0 ? args[0] : "zoo/models/family-b");
    String task = args.length > 1 ? args[1] : "composite";
    int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;

    List<List<TrainingExample>> batches = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.load(modelDir.resolve("tokenizer.json"))) {
      TaskEncoding encoding = TaskEncoding.of(tokenizer);
      List<TaskExample> examples =
          TaskFamilies.generate(TaskFamilies.byName(task), Split.TRAIN, batchSize * steps, 11);
      for (int s = 0; s < steps; s++) {
        List<TrainingExample> batch = new ArrayList<>();
        for (TaskExample e : examples.subList(s * batchSize, (s + 1) * batchSize)) {
          batch.add(encoding.training(e));
        }
        batches.add(batch);
      }
    }
    long realTokens =
        batches.stream().flatMap(List::stream).mapToLong(e -> e.tokens().length).sum();

    double[] best = new double[MICRO_BATCHES.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    try (DecoderModel model = DecoderCheckpoints.load(modelDir)) {
      for (int round = 0; round <= rounds; round++) {
        for (int v = 0; v < MICRO_BATCHES.length; v++) {
          // A learning rate this small keeps the model as loaded for every variant.
          try (CausalLmTrainer trainer =
              new CausalLmTrainer(
                  model, TrainingConfig.defaults(1e-9, 0, steps), MICRO_BATCHES[v])) {
            long t0 = System.nanoTime();
            for (List<TrainingExample> batch : batches) {
              trainer.step(batch);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (round > 0) { // round 0 warms up
              best[v] = Math.min(best[v], seconds);
            }
          }
        }
      }
    }

    System.out.printf(
        Locale.ROOT,
        "%nTraining steps of %s on %s, batch %d, %d steps per round, best of %d rounds%n",
        modelDir,
        task,
        batchSize,
        steps,
        rounds);
    System.out.printf(
        Locale.ROOT,
        "%-16s %14s %16s %12s %14s%n",
        "micro-batches",
        "padding",
        "real tokens/s",
        "s per step",
        "vs 1 pass");
    for (int v = 0; v < MICRO_BATCHES.length; v++) {
      long padded = 0;
      for (List<TrainingExample> batch : batches) {
        padded += paddedTokens(batch, MICRO_BATCHES[v]);
      }
      System.out.printf(
          Locale.ROOT,
          "%-16d %13.1f%% %16.0f %12.3f %13.2fx%n",
          MICRO_BATCHES[v],
          100.0 * (padded - realTokens) / padded,
          realTokens / best[v],
          best[v] / steps,
          best[0] / best[v]);
    }
  }

  /** Tokens computed when the batch runs as the trainer's micro-batches, each padded. */
  private static long paddedTokens(List<TrainingExample> batch, int microBatches) {
    long padded = 0;
    for (List<TrainingExample> part :
        CausalLmTrainer.microBatches(batch, microBatches, e -> e.tokens().length)) {
      int longest = part.stream().mapToInt(e -> e.tokens().length).max().orElse(0);
      padded += (long) longest * part.size();
    }
    return padded;
  }
}
