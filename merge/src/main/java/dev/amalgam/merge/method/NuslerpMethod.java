package dev.amalgam.merge.method;

import java.util.List;

/**
 * nuslerp: two models and an optional base distinct from them (then the two deltas x_i − b are
 * interpolated and b is added back). t = w_2/(w_1+w_2), 0.5 when |w_1+w_2| &lt; 1e-6. With {@code
 * nuslerp_flatten} (default true) the tensor is one vector; otherwise, viewing it as [rows, rest],
 * each row ({@code nuslerp_row_wise: true}) or each column is interpolated on its own. Each vector:
 * θ = acos(clamp(â·b̂)); out = [sin((1−t)θ)·a + sin(tθ)·b] / sin θ, or (1−t)·a + t·b when |sin θ|
 * &lt; 1e-8.
 */
final class NuslerpMethod extends AbstractMergeMethod {
  NuslerpMethod() {
    super(
        "nuslerp",
        false,
        List.of(
            ParameterSpec.requiredPerModel("weight"),
            ParameterSpec.global("nuslerp_flatten", ParameterSpec.Kind.BOOLEAN, true),
            ParameterSpec.global("nuslerp_row_wise", ParameterSpec.Kind.BOOLEAN, false)));
  }

  @Override
  public String checkInputs(int models, boolean hasBase) {
    return models == 2 ? null : "nuslerp merges exactly two models (besides an optional base)";
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    double w1 = p.number("weight", 0);
    double w2 = p.number("weight", 1);
    double t = Math.abs(w1 + w2) < 1e-6 ? 0.5 : w2 / (w1 + w2);
    float[] a = in.models().get(0);
    float[] b = in.models().get(1);
    if (in.base() != null) {
      a = VectorMath.subtract(a, in.base());
      b = VectorMath.subtract(b, in.base());
    }
    int n = in.size();
    float[] out = new float[n];
    java.util.function.DoublePredicate colinear = c -> Math.abs(Math.sin(Math.acos(c))) < 1e-8;
    int rows = in.rows();
    int cols = in.rowLength();
    if (p.bool("nuslerp_flatten") || rows == 1) {
      Slerp.interpolate(a, b, out, t, 0, 1, n, colinear);
    } else if (p.bool("nuslerp_row_wise")) {
      for (int r = 0; r < rows; r++) {
        Slerp.interpolate(a, b, out, t, r * cols, 1, cols, colinear);
      }
    } else {
      for (int c = 0; c < cols; c++) {
        Slerp.interpolate(a, b, out, t, c, cols, rows, colinear);
      }
    }
    if (in.base() != null) {
      for (int e = 0; e < n; e++) {
        out[e] += in.base()[e];
      }
    }
    return out;
  }
}
