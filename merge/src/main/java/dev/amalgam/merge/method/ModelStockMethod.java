package dev.amalgam.merge.method;

import java.util.List;

/**
 * model_stock: a base plus N ≥ 2 models. With deltas d_i = x_i − b, c = the mean over pairs i &lt;
 * j of cos(d_i, d_j) (a pair with a zero delta counts 0), over the whole tensor or, with {@code
 * filter_wise}, over each row separately; t = N·c / (1 + (N−1)·c) (t = 0 when the denominator is
 * below 1e-8 in magnitude); out = t·mean(x_i) + (1−t)·b.
 */
final class ModelStockMethod extends AbstractMergeMethod {
  ModelStockMethod() {
    super(
        "model_stock",
        true,
        List.of(ParameterSpec.global("filter_wise", ParameterSpec.Kind.BOOLEAN, false)));
  }

  @Override
  public String checkInputs(int models, boolean hasBase) {
    if (!hasBase) {
      return "model_stock needs base_model";
    }
    return models >= 2 ? null : "model_stock needs at least two models besides base_model";
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    int n = in.size();
    float[] out = new float[n];
    int models = in.models().size();
    float[][] d = new float[models][];
    for (int i = 0; i < models; i++) {
      d[i] = VectorMath.subtract(in.models().get(i), in.base());
    }
    boolean rowWise = p.bool("filter_wise");
    int groups = rowWise ? in.rows() : 1;
    int length = n / groups;
    for (int g = 0; g < groups; g++) {
      int offset = g * length;
      double[] norms = new double[models];
      for (int i = 0; i < models; i++) {
        norms[i] = VectorMath.norm(d[i], offset, 1, length);
      }
      double cosSum = 0;
      int pairs = 0;
      for (int i = 0; i < models; i++) {
        for (int j = i + 1; j < models; j++) {
          if (norms[i] > 0 && norms[j] > 0) {
            cosSum += VectorMath.dot(d[i], d[j], offset, 1, length) / (norms[i] * norms[j]);
          }
          pairs++;
        }
      }
      double c = Math.max(-1, Math.min(1, cosSum / pairs));
      double denominator = 1 + (models - 1) * c;
      double t = Math.abs(denominator) < 1e-8 ? 0 : models * c / denominator;
      for (int e = offset; e < offset + length; e++) {
        double mean = 0;
        for (int i = 0; i < models; i++) {
          mean += in.models().get(i)[e];
        }
        mean /= models;
        out[e] = (float) (t * mean + (1 - t) * in.base()[e]);
      }
    }
    return out;
  }
}
