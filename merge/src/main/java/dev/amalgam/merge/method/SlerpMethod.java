package dev.amalgam.merge.method;

import java.util.List;

/**
 * slerp: exactly two models, one of them the base; {@code t} = 0 gives the base, 1 the other model.
 * The tensor is one flat vector; c = cos of the angle between base and model; if |c| &gt; 0.9995
 * (or a norm is 0) out = (1−t)·b + t·x, else θ = acos(c) and out = [sin((1−t)θ)·b + sin(tθ)·x] /
 * sin θ on the un-normalized originals. Coefficients in f64, each element rounded to fp32 once.
 */
final class SlerpMethod extends AbstractMergeMethod {
  SlerpMethod() {
    super("slerp", true, List.of(ParameterSpec.requiredGlobal("t")));
  }

  @Override
  public String checkInputs(int models, boolean hasBase) {
    if (!hasBase || models != 1) {
      return "slerp merges exactly two models, one of them base_model";
    }
    return null;
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    double t = p.number("t");
    float[] out = new float[in.size()];
    Slerp.interpolate(
        in.base(), in.models().get(0), out, t, 0, 1, in.size(), c -> Math.abs(c) > 0.9995);
    return out;
  }
}
