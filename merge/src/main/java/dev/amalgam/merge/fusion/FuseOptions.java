package dev.amalgam.merge.fusion;

/**
 * Settings of a fusion fine-tune.
 *
 * @param rule how candidate distributions are fused per sequence
 * @param lambda weight of CE(gold); 1 - lambda goes to CE(fused distribution)
 * @param epochs passes over the data
 * @param learningRate peak AdamW learning rate (warmup, then cosine to 10%)
 * @param batchSize sequences per step
 * @param seed seed of the example order
 */
public record FuseOptions(
    FusionRule rule, double lambda, int epochs, double learningRate, int batchSize, long seed) {
  public static final double DEFAULT_LAMBDA = 0.9;

  public FuseOptions {
    if (!(lambda >= 0 && lambda <= 1)) {
      throw new IllegalArgumentException("--lambda must be in [0, 1], got " + lambda);
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("--lr must be positive, got " + learningRate);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
    }
  }
}
