package dev.amalgam.merge.runtime;

import java.util.Locale;

/**
 * A training step whose loss or gradient norm is not a finite number. The step's update is not
 * applied, so the model still holds the weights of the step before.
 */
public final class TrainingDivergedException extends IllegalStateException {
  public TrainingDivergedException(
      int step, double loss, double gradientNorm, double learningRate) {
    super(
        String.format(
            Locale.ROOT,
            "training diverged at step %d: loss %s, gradient norm %s at learning rate %.2e; the"
                + " update was not applied (lower learning_rate, raise batch_size or add"
                + " warmup_steps)",
            step,
            loss,
            gradientNorm,
            learningRate));
  }
}
