package dev.amalgam.merge.method;

import java.util.List;

/**
 * multislerp: a weighted spherical mean of any number of flattened tensors. With weights w_i
 * (divided by Σ w_i when {@code normalize_weights}, default true): u_i = x_i/(‖x_i‖+eps); m = Σ
 * w_i·u_i; m̂ = m/‖m‖; v_i = u_i − (u_i·m̂)·m̂; τ = Σ w_i·v_i; out = [m̂·cos‖τ‖ + τ·sin‖τ‖/‖τ‖]·Σ
 * w_i‖x_i‖ (just m̂·Σ w_i‖x_i‖ when ‖τ‖ &lt; eps; the weighted linear mean when ‖m‖ &lt; eps). With
 * a base, the same on the deltas x_i − b, plus b. Vectors are accumulated in f64.
 */
final class MultislerpMethod extends AbstractMergeMethod {
  MultislerpMethod() {
    super(
        "multislerp",
        false,
        List.of(
            ParameterSpec.requiredPerModel("weight"),
            ParameterSpec.global("normalize_weights", ParameterSpec.Kind.BOOLEAN, true),
            ParameterSpec.global("eps", ParameterSpec.Kind.NUMBER, 1e-8)));
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    int models = in.models().size();
    int n = in.size();
    double eps = p.number("eps");
    float[][] v = new float[models][];
    double[] w = new double[models];
    double wSum = 0;
    for (int i = 0; i < models; i++) {
      v[i] =
          in.base() == null
              ? in.models().get(i)
              : VectorMath.subtract(in.models().get(i), in.base());
      w[i] = p.number("weight", i);
      wSum += w[i];
    }
    if (p.bool("normalize_weights")) {
      if (Math.abs(wSum) < 1e-8) {
        throw error(in, "weights sum to 0; change the weights or set normalize_weights: false");
      }
      for (int i = 0; i < models; i++) {
        w[i] /= wSum;
      }
    }
    double[] norm = new double[models];
    double scale = 0;
    for (int i = 0; i < models; i++) {
      norm[i] = VectorMath.norm(v[i]);
      scale += w[i] * norm[i];
    }
    double[] m = new double[n];
    for (int e = 0; e < n; e++) {
      double acc = 0;
      for (int i = 0; i < models; i++) {
        acc += w[i] * (v[i][e] / (norm[i] + eps));
      }
      m[e] = acc;
    }
    double mNorm = norm(m);
    double[] dir = new double[n];
    if (mNorm < eps) {
      for (int e = 0; e < n; e++) {
        double acc = 0;
        for (int i = 0; i < models; i++) {
          acc += w[i] * v[i][e];
        }
        dir[e] = acc;
      }
      return finish(in, dir, 1);
    }
    for (int e = 0; e < n; e++) {
      m[e] /= mNorm;
    }
    double[] proj = new double[models];
    for (int i = 0; i < models; i++) {
      double s = 0;
      for (int e = 0; e < n; e++) {
        s += (v[i][e] / (norm[i] + eps)) * m[e];
      }
      proj[i] = s;
    }
    double[] tau = new double[n];
    for (int e = 0; e < n; e++) {
      double acc = 0;
      for (int i = 0; i < models; i++) {
        acc += w[i] * (v[i][e] / (norm[i] + eps) - proj[i] * m[e]);
      }
      tau[e] = acc;
    }
    double tNorm = norm(tau);
    for (int e = 0; e < n; e++) {
      dir[e] = tNorm < eps ? m[e] : m[e] * Math.cos(tNorm) + tau[e] * (Math.sin(tNorm) / tNorm);
    }
    return finish(in, dir, scale);
  }

  private static float[] finish(MergeInput in, double[] dir, double scale) {
    float[] out = new float[dir.length];
    for (int e = 0; e < dir.length; e++) {
      double x = dir[e] * scale;
      out[e] = (float) (in.base() == null ? x : in.base()[e] + x);
    }
    return out;
  }

  private static double norm(double[] x) {
    double s = 0;
    for (double d : x) {
      s += d * d;
    }
    return Math.sqrt(s);
  }
}
