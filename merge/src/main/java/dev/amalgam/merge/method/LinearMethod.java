package dev.amalgam.merge.method;

import java.util.Arrays;
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

  private static final int BLOCK = 2048;

  @Override
  public boolean usesBase() {
    return false;
  }

  @Override
  public boolean elementwise() {
    return true;
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
    float[][] x = in.models().toArray(new float[0][]);
    float[] out = new float[n];
    // Models in the outer loop over blocks of elements, so the inner loops are plain array loops;
    // each element still sums w_i·x_i in model order from +0.0, exactly as one scalar loop would.
    double[] acc = new double[Math.min(n, BLOCK)];
    for (int start = 0; start < n; start += BLOCK) {
      int len = Math.min(BLOCK, n - start);
      Arrays.fill(acc, 0, len, 0.0);
      for (int i = 0; i < models; i++) {
        float[] xi = x[i];
        double wi = w[i];
        for (int j = 0; j < len; j++) {
          acc[j] += wi * xi[start + j];
        }
      }
      if (normalize) {
        for (int j = 0; j < len; j++) {
          out[start + j] = (float) (acc[j] / sum);
        }
      } else {
        for (int j = 0; j < len; j++) {
          out[start + j] = (float) acc[j];
        }
      }
    }
    return out;
  }
}
