package dev.amalgam.merge.method;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Small helpers that build inputs for method tests. */
final class Tensors {
  private Tensors() {}

  static float[] random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return out;
  }

  static MergeInput input(
      String name, long[] shape, float[] base, List<float[]> models, ResolvedParameters p) {
    return new MergeInput(name, shape, base, models, p, 7L);
  }

  static MergeInput flat(float[] base, List<float[]> models, ResolvedParameters p) {
    int n = base != null ? base.length : models.get(0).length;
    return input("model.layers.0.mlp.up_proj.weight", new long[] {n}, base, models, p);
  }

  static MergeMethod method(String name) {
    return MergeMethods.byName(name).orElseThrow();
  }

  static ResolvedParameters.Builder weights(double... w) {
    ResolvedParameters.Builder b = ResolvedParameters.builder();
    for (int i = 0; i < w.length; i++) {
      b.model(i, "weight", w[i]);
    }
    return b;
  }

  static float[] floats(double... v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }

  static String show(float[] v) {
    return Arrays.toString(v);
  }
}
