package dev.amalgam.merge.method;

import java.util.List;

/**
 * passthrough: exactly one input per tensor, copied (bit for bit when {@code scale} is 1, the
 * default) or multiplied by {@code scale}. With slices and {@code layer_range} this stacks layers
 * of different models ("franken" merges); the executor maps the layers.
 */
final class PassthroughMethod extends AbstractMergeMethod {
  PassthroughMethod() {
    super("passthrough", false, List.of(ParameterSpec.perModel("scale", 1.0)));
  }

  @Override
  public boolean usesBase() {
    return false;
  }

  @Override
  public String checkInputs(int models, boolean hasBase) {
    return models == 1 ? null : "passthrough takes exactly one input per tensor (or slice)";
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    float[] x = in.models().get(0);
    double scale = p.number("scale", 0);
    if (scale == 1.0) {
      return x.clone();
    }
    float[] out = new float[x.length];
    for (int e = 0; e < x.length; e++) {
      out[e] = (float) (x[e] * scale);
    }
    return out;
  }
}
