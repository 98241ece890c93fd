package dev.amalgam.merge.method;

import java.util.List;

/**
 * karcher: the Riemannian (Karcher) mean of the flattened tensors' directions on the unit sphere,
 * with equal weights, scaled by the mean norm. u_i = x_i/‖x_i‖ (zero tensors take no part in the
 * direction); μ starts at normalize(Σ u_i). Each iteration (at most {@code max_iter}, default 10):
 * c_i = clamp(μ·u_i), θ_i = acos(c_i), g = (1/N')·Σ (u_i − c_i·μ)·θ_i/sin θ_i (terms with θ_i &lt;
 * 1e-12 are 0); stop when ‖g‖ &lt; {@code tol} (default 1e-5); else μ = normalize(cos‖g‖·μ +
 * sin‖g‖·g/‖g‖). out = mean_i ‖x_i‖ · μ. The base model is an ordinary input when listed.
 */
final class KarcherMethod extends AbstractMergeMethod {
  KarcherMethod() {
    super(
        "karcher",
        false,
        List.of(
            ParameterSpec.global("max_iter", ParameterSpec.Kind.INTEGER, 10),
            ParameterSpec.global("tol", ParameterSpec.Kind.NUMBER, 1e-5)));
  }

  @Override
  public boolean usesBase() {
    return false;
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    int maxIter = (int) p.number("max_iter");
    double tol = p.number("tol");
    int n = in.size();
    List<float[]> x = in.models();
    double[] norm = new double[x.size()];
    double meanNorm = 0;
    int active = 0;
    for (int i = 0; i < x.size(); i++) {
      norm[i] = VectorMath.norm(x.get(i));
      meanNorm += norm[i];
      if (norm[i] > 0) {
        active++;
      }
    }
    meanNorm /= x.size();
    float[] out = new float[n];
    if (active == 0) {
      return out;
    }
    double[] mu = new double[n];
    for (int e = 0; e < n; e++) {
      double acc = 0;
      for (int i = 0; i < x.size(); i++) {
        if (norm[i] > 0) {
          acc += x.get(i)[e] / norm[i];
        }
      }
      mu[e] = acc;
    }
    if (!normalize(mu)) {
      int first = 0;
      while (norm[first] == 0) {
        first++;
      }
      for (int e = 0; e < n; e++) {
        mu[e] = x.get(first)[e] / norm[first];
      }
    }
    double[] g = new double[n];
    double[] coef = new double[x.size()];
    double[] cos = new double[x.size()];
    for (int iter = 0; iter < maxIter; iter++) {
      for (int i = 0; i < x.size(); i++) {
        coef[i] = 0;
        if (norm[i] == 0) {
          continue;
        }
        double c = 0;
        for (int e = 0; e < n; e++) {
          c += mu[e] * (x.get(i)[e] / norm[i]);
        }
        c = Math.max(-1, Math.min(1, c));
        double theta = Math.acos(c);
        cos[i] = c;
        coef[i] = theta < 1e-12 ? 0 : theta / Math.sin(theta) / active;
      }
      for (int e = 0; e < n; e++) {
        double acc = 0;
        for (int i = 0; i < x.size(); i++) {
          if (coef[i] != 0) {
            acc += (x.get(i)[e] / norm[i] - cos[i] * mu[e]) * coef[i];
          }
        }
        g[e] = acc;
      }
      double gNorm = 0;
      for (double v : g) {
        gNorm += v * v;
      }
      gNorm = Math.sqrt(gNorm);
      if (gNorm < tol) {
        break;
      }
      double a = Math.cos(gNorm);
      double b = Math.sin(gNorm) / gNorm;
      for (int e = 0; e < n; e++) {
        mu[e] = a * mu[e] + b * g[e];
      }
      normalize(mu);
    }
    for (int e = 0; e < n; e++) {
      out[e] = (float) (meanNorm * mu[e]);
    }
    return out;
  }

  private static boolean normalize(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d * d;
    }
    s = Math.sqrt(s);
    if (s == 0) {
      return false;
    }
    for (int e = 0; e < v.length; e++) {
      v[e] /= s;
    }
    return true;
  }
}
