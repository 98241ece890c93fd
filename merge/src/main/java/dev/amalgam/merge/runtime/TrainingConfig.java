package dev.amalgam.merge.runtime;

/**
 * Optimizer and schedule settings: AdamW with decoupled weight decay (applied to matrices, not to
 * norms or biases), linear warmup then cosine decay to minLearningRate, global-norm gradient
 * clipping.
 */
public record TrainingConfig(
    double learningRate,
    double minLearningRate,
    int warmupSteps,
    int totalSteps,
    double weightDecay,
    double beta1,
    double beta2,
    double epsilon,
    double maxGradNorm) {

  public TrainingConfig {
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("training: learning rate must be positive");
    }
    if (totalSteps <= 0 || warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException(
          "training: need 0 <= warmup steps ("
              + warmupSteps
              + ") <= total steps ("
              + totalSteps
              + ") and total > 0");
    }
  }

  /** Common defaults: betas (0.9, 0.95), eps 1e-8, weight decay 0.1, clip at 1.0, min lr 10%. */
  public static TrainingConfig defaults(double learningRate, int warmupSteps, int totalSteps) {
    return new TrainingConfig(
        learningRate, learningRate * 0.1, warmupSteps, totalSteps, 0.1, 0.9, 0.95, 1e-8, 1.0);
  }

  /** The learning rate for step (0-based). */
  public double learningRateAt(int step) {
    if (step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    int decaySteps = totalSteps - warmupSteps;
    double progress =
        decaySteps == 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    return minLearningRate
        + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress));
  }
}
