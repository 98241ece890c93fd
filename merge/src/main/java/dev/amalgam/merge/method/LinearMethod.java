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
    int n = in.size();
    float[] out = new float[n];
    kernel(in.tensorName(), p, in.models().size())
        .merge(null, in.models().toArray(new float[0][]), n, out);
    return out;
  }

  @Override
  ElementwiseKernel kernel(String tensorName, ResolvedParameters p, int models) {
    double[] w = new double[models];
    double sum = 0;
    for (int i = 0; i < models; i++) {
      w[i] = (float) p.number("weight", i);
      sum += w[i];
    }
    boolean normalize = p.bool("normalize");
    if (normalize && Math.abs(sum) < 1e-8) {
      throw new MergeException(
          "tensor "
              + tensorName
              + ": linear weights sum to 0; change the weights or set normalize: false");
    }
    return new Kernel(w, normalize ? sum : 1);
  }

  /**
   * Per element: Σ w_i·x_i summed in f64 in model order from +0.0, divided by the divisor, rounded
   * to fp32 once. Up to three models run as one fused loop; more go through an f64 accumulator
   * block with the models in the outer loop. Both orders give the same bits.
   */
  private static final class Kernel implements ElementwiseKernel {
    private final double[] w;
    private final double divisor;
    private double[] acc;

    Kernel(double[] w, double divisor) {
      this.w = w;
      this.divisor = divisor;
    }

    @Override
    public void merge(float[] base, float[][] x, int len, float[] out) {
      double d = divisor;
      switch (x.length) {
        case 1 -> {
          float[] x0 = x[0];
          double w0 = w[0];
          for (int j = 0; j < len; j++) {
            out[j] = (float) ((0.0 + w0 * x0[j]) / d);
          }
        }
        case 2 -> {
          float[] x0 = x[0];
          float[] x1 = x[1];
          double w0 = w[0];
          double w1 = w[1];
          for (int j = 0; j < len; j++) {
            out[j] = (float) ((0.0 + w0 * x0[j] + w1 * x1[j]) / d);
          }
        }
        case 3 -> {
          float[] x0 = x[0];
          float[] x1 = x[1];
          float[] x2 = x[2];
          double w0 = w[0];
          double w1 = w[1];
          double w2 = w[2];
          for (int j = 0; j < len; j++) {
            out[j] = (float) ((0.0 + w0 * x0[j] + w1 * x1[j] + w2 * x2[j]) / d);
          }
        }
        default -> accumulated(x, len, out);
      }
    }

    private void accumulated(float[][] x, int len, float[] out) {
      if (acc == null) {
        acc = new double[BLOCK];
      }
      for (int start = 0; start < len; start += BLOCK) {
        int n = Math.min(BLOCK, len - start);
        Arrays.fill(acc, 0, n, 0.0);
        for (int i = 0; i < x.length; i++) {
          float[] xi = x[i];
          double wi = w[i];
          for (int j = 0; j < n; j++) {
            acc[j] += wi * xi[start + j];
          }
        }
        for (int j = 0; j < n; j++) {
          out[start + j] = (float) (acc[j] / divisor);
        }
      }
    }
  }
}
