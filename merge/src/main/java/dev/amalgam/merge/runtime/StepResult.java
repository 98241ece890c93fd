package dev.amalgam.merge.runtime;

/**
 * What one optimizer step did: the batch loss before the update, the rate, the gradient norm, and
 * whether the update was applied (a step whose loss or gradient is not finite is skipped).
 */
public record StepResult(
    int step, double loss, double learningRate, double gradientNorm, boolean applied) {

  /** The log text of a skipped step, after its step number. */
  public String skipNote() {
    return "skipped: loss "
        + loss
        + ", gradient norm "
        + gradientNorm
        + "; the update was not applied";
  }
}
