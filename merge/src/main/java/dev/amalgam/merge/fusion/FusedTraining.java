package dev.amalgam.merge.fusion;

import dev.amalgam.merge.runtime.CausalLmTrainer;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.DistillationExample;
import dev.amalgam.merge.runtime.StepResult;
import dev.amalgam.merge.runtime.TrainingConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Fine-tunes the target on the fused examples with lambda * CE(gold) + (1 - lambda) * CE(fused),
 * for a number of epochs in a seeded shuffled order.
 */
public final class FusedTraining {
  /** Receives each step's result. */
  public interface Listener {
    void step(StepResult result, int totalSteps);
  }

  private FusedTraining() {}

  public static int steps(int examples, FuseOptions options) {
    return options.epochs() * ((examples + options.batchSize() - 1) / options.batchSize());
  }

  public static void train(
      DecoderModel model,
      List<DistillationExample> examples,
      FuseOptions options,
      Listener listener) {
    int total = steps(examples.size(), options);
    TrainingConfig schedule =
        TrainingConfig.defaults(options.learningRate(), Math.min(10, total / 10), total);
    List<DistillationExample> order = new ArrayList<>(examples);
    Random random = new Random(options.seed());
    try (CausalLmTrainer trainer = new CausalLmTrainer(model, schedule)) {
      for (int epoch = 0; epoch < options.epochs(); epoch++) {
        Collections.shuffle(order, random);
        for (int start = 0; start < order.size(); start += options.batchSize()) {
          List<DistillationExample> batch =
              order.subList(start, Math.min(order.size(), start + options.batchSize()));
          listener.step(trainer.step(batch, options.lambda()), total);
        }
      }
    }
  }
}
