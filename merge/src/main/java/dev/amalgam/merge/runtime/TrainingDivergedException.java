package dev.amalgam.merge.runtime;

import java.util.Locale;

/**
 * Training steps whose loss or gradient norm is not a finite number, several in a row. Their
 * updates were not applied, so the model still holds the weights of the last finite step.
 */
public final class TrainingDivergedException extends IllegalStateException {
  public TrainingDivergedException(
      int step, double loss, double gradientNorm, double learningRate, int inARow) {
    super(
        String.format(
            Locale.ROOT,
            "training diverged at step %d: loss %s, gradient norm %s at learning rate %.2e; %d"
                + " steps in a row were not finite and none of their updates was applied (lower"
                + " learning_rate, raise batch_size or add warmup_steps)",
            step,
            loss,
            gradientNorm,
            learningRate,
            inARow));
  }
}
