package dev.amalgam.merge.runtime;

/** What one optimizer step did: the batch loss before the update, the rate, the gradient norm. */
public record StepResult(int step, double loss, double learningRate, double gradientNorm) {}
