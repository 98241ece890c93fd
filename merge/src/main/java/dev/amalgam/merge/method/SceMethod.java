package dev.amalgam.merge.method;

import java.util.List;

/**
 * sce (select, calculate, erase): a base plus models, with deltas d_i = x_i − b.
 *
 * <ol>
 *   <li>Select: if {@code select_topk} &lt; 1, keep only the floor(select_topk·n) elements with the
 *       largest variance of d_i across models (ties: lower index first) and zero the rest in every
 *       delta;
 *   <li>Calculate: w_i = mean(d_i²) over the tensor, divided by Σ w_i (all equal when Σ w_i = 0);
 *   <li>Erase: s = sign(Σ d_i) (0 counts as +), m_i = [sign(d_i) = s];
 *   <li>out = b + Σ d_i·w_i·m_i / max(Σ w_i·m_i, 1e-6).
 * </ol>
 */
final class SceMethod extends AbstractMergeMethod {
  SceMethod() {
    super(
        "sce", true, List.of(ParameterSpec.global("select_topk", ParameterSpec.Kind.NUMBER, 1.0)));
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    int n = in.size();
    int models = in.models().size();
    float[][] d = new float[models][];
    for (int i = 0; i < models; i++) {
      d[i] = VectorMath.subtract(in.models().get(i), in.base());
    }
    double topk = p.number("select_topk");
    if (!(topk > 0 && topk <= 1)) {
      throw error(in, "select_topk " + topk + " must be in (0, 1]");
    }
    if (topk < 1) {
      int k = (int) Math.floor(topk * n);
      if (k < 1) {
        throw error(in, "select_topk " + topk + " keeps no entry of " + n + "; raise it");
      }
      float[] variance = new float[n];
      for (int e = 0; e < n; e++) {
        double mean = 0;
        for (int i = 0; i < models; i++) {
          mean += d[i][e];
        }
        mean /= models;
        double var = 0;
        for (int i = 0; i < models; i++) {
          double diff = d[i][e] - mean;
          var += diff * diff;
        }
        variance[e] = (float) (var / models);
      }
      boolean[] keep = RankSelection.topK(variance, k);
      for (int e = 0; e < n; e++) {
        if (!keep[e]) {
          for (int i = 0; i < models; i++) {
            d[i][e] = 0;
          }
        }
      }
    }
    double[] w = new double[models];
    double wSum = 0;
    for (int i = 0; i < models; i++) {
      w[i] = VectorMath.dot(d[i], d[i]) / n;
      wSum += w[i];
    }
    for (int i = 0; i < models; i++) {
      w[i] = wSum == 0 ? 1.0 / models : w[i] / wSum;
    }
    float[] out = new float[n];
    for (int e = 0; e < n; e++) {
      double sum = 0;
      for (int i = 0; i < models; i++) {
        sum += d[i][e];
      }
      int sign = VectorMath.signOrPlus(sum);
      double mix = 0;
      double divisor = 0;
      for (int i = 0; i < models; i++) {
        if (VectorMath.strictSign(d[i][e]) == sign) {
          mix += d[i][e] * w[i];
          divisor += w[i];
        }
      }
      out[e] = (float) (in.base()[e] + mix / Math.max(divisor, 1e-6));
    }
    return out;
  }
}
