package dev.amalgam.merge.method;

import java.util.List;

/**
 * nearswap: a base b plus one model a. Per element w = clamp(t / max(|a−b|, 1e-6), 0, 1); out = w·b
 * + (1−w)·a. Entries where the models are close take the base; distant ones keep the model.
 */
final class NearswapMethod extends AbstractMergeMethod {
  NearswapMethod() {
    super("nearswap", true, List.of(ParameterSpec.requiredGlobal("t")));
  }

  @Override
  public String checkInputs(int models, boolean hasBase) {
    if (!hasBase || models != 1) {
      return "nearswap merges exactly one model with base_model";
    }
    return null;
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    double t = p.number("t");
    float[] a = in.models().get(0);
    float[] b = in.base();
    float[] out = new float[a.length];
    for (int e = 0; e < a.length; e++) {
      double distance = Math.max(Math.abs((double) a[e] - b[e]), 1e-6);
      double w = Math.max(0, Math.min(1, t / distance));
      out[e] = (float) (w * b[e] + (1 - w) * a[e]);
    }
    return out;
  }
}
