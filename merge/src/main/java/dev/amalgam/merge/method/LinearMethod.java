package dev.amalgam.merge.method;

import java.util.List;

/**
 * linear: out = Σ w_i·x_i / Σ w_i, or Σ w_i·x_i with {@code normalize: false}. The sum runs in f64
 * in model order over fp32 weights and is rounded to fp32 once, so weights (1, 0) return model A
 * bit for bit. A base model is an ordinary input here (as in mergekit) when it is listed among the
 * models. Weights summing to (nearly) zero with normalize on are an error rather than a division by
 * zero.
 */
final class LinearMethod extends AbstractMergeMethod {
  LinearMethod() {
    super(
        "linear",
        false,
        List.of(
            ParameterSpec.requiredPerModel("weight"),
            ParameterSpec.global("normalize", ParameterSpec.Kind.BOOLEAN, true)));
  }

  @Override
  public boolean usesBase() {
    return false;
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    int models = in.models().size();
    double[] w = new double[models];
    double sum = 0;
    for (int i = 0; i < models; i++) {
      w[i] = (float) p.number("weight", i);
      sum += w[i];
    }
    boolean normalize = p.bool("normalize");
    if (normalize && Math.abs(sum) < 1e-8) {
      throw error(in, "weights sum to 0; change the weights or set normalize: false");
    }
    int n = in.size();
    float[] out = new float[n];
    for (int e = 0; e < n; e++) {
      double acc = 0;
      for (int i = 0; i < models; i++) {
        acc += w[i] * in.models().get(i)[e];
      }
      out[e] = (float) (normalize ? acc / sum : acc);
    }
    return out;
  }
}
