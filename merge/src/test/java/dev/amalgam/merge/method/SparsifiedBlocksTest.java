package dev.amalgam.merge.method;

import static dev.amalgam.merge.method.Tensors.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ties, dare_ties and dare_linear merged block by block (statistics passes, then merge) give
 * exactly the whole-tensor result, in natural and in lane order, whatever the block size: ties at
 * the threshold split across blocks, a first block unlike the rest (the threshold estimate misses
 * and the histogram passes run), a sample across the tensor and a misleading one, L1 and
 * elementwise rescale, odd lengths.
 */
class SparsifiedBlocksTest {
  private static final String NAME = "model.layers.1.mlp.down_proj.weight";

  /** Values on a coarse grid so many magnitudes tie; the first 700 are 1000 times smaller. */
  private static float[][] inputs(int models, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] out = new float[models + 1][n];
    for (int e = 0; e < n; e++) {
      out[models][e] = (float) (r.nextInt(-50, 50) / 64.0);
      for (int i = 0; i < models; i++) {
        double step = r.nextInt(-6, 7) / 256.0;
        if (r.nextInt(50) == 0) {
          step = r.nextGaussian();
        }
        out[i][e] = out[models][e] + (float) (e < 700 ? step / 1000 : step);
      }
    }
    return out;
  }

  private static ResolvedParameters params(
      int models, double density, Object rescale, boolean normalize) {
    ResolvedParameters.Builder b = ResolvedParameters.builder();
    for (int i = 0; i < models; i++) {
      b.model(i, "weight", 0.4 + 0.3 * i);
      b.model(i, "density", i == 1 ? Math.min(1, density + 0.2) : density);
    }
    b.global("normalize", normalize).global("lambda", 0.9);
    if (rescale != null) {
      b.global("rescale", rescale);
    }
    return b.build();
  }

  /** What the kernel is shown before its statistics passes. */
  private enum Sample {
    NONE,
    SPREAD,
    MISLEADING
  }

  @Test
  void blockwiseMatchesWholeTensorForEveryOrderBlockSizeAndRescale() {
    for (String method : new String[] {"ties", "dare_ties", "dare_linear"}) {
      for (int models = 1; models <= 3; models++) {
        for (Object rescale : new Object[] {null, true, false, "elementwise"}) {
          for (double density : new double[] {0.1, 0.5, 0.93}) {
            int n = 5001;
            float[][] in = inputs(models, n, models * 31L + (long) (density * 100));
            float[] base = in[models];
            List<float[]> xs = new ArrayList<>();
            for (int i = 0; i < models; i++) {
              xs.add(in[i]);
            }
            ResolvedParameters p = params(models, density, rescale, models != 2);
            float[] whole = method(method).merge(input(NAME, new long[] {n}, base, xs, p));
            for (int block : new int[] {n, 1000, 333}) {
              for (boolean lanes : new boolean[] {false, true}) {
                for (Sample sample : Sample.values()) {
                  if (sample != Sample.NONE && !method.equals("ties")) {
                    continue;
                  }
                  float[] got = blockwise(method, base, xs, p, block, lanes, sample);
                  String what =
                      method + " models " + models + " rescale " + rescale + " density " + density;
                  assertThat(bits(got))
                      .as("%s block %d lanes %s sample %s", what, block, lanes, sample)
                      .isEqualTo(bits(whole));
                }
              }
            }
          }
        }
      }
    }
  }

  private static float[] blockwise(
      String method,
      float[] base,
      List<float[]> xs,
      ResolvedParameters p,
      int block,
      boolean lanes,
      Sample sample) {
    int n = base.length;
    BlockwiseKernel kernel =
        method(method).blockwiseKernel(NAME, new long[] {n}, p, xs.size(), true, 7L);
    assertThat(kernel).isNotNull();
    if (sample != Sample.NONE && kernel.needsPass()) {
      assertThat(kernel.sampleSize()).isPositive();
      // MISLEADING: only the first 700 entries, whose deltas are 1000 times smaller than the rest.
      int size = sample == Sample.SPREAD ? kernel.sampleSize() : 700;
      int[] positions = new int[size];
      for (int s = 0; s < size; s++) {
        positions[s] = sample == Sample.SPREAD ? (int) ((long) s * n / size) : s;
      }
      kernel.sample(
          pick(base, positions),
          xs.stream().map(x -> pick(x, positions)).toArray(float[][]::new),
          size);
    }
    while (kernel.needsPass()) {
      for (int first = 0; first < n; first += block) {
        int len = Math.min(block, n - first);
        kernel.observe(
            first, slice(base, first, len, lanes), slices(xs, first, len, lanes), len, lanes);
      }
      kernel.endPass();
    }
    float[] out = new float[n];
    for (int first = 0; first < n; first += block) {
      int len = Math.min(block, n - first);
      float[] merged = new float[len];
      kernel.merge(
          first, slice(base, first, len, lanes), slices(xs, first, len, lanes), len, lanes, merged);
      for (int j = 0; j < len; j++) {
        out[first + j] = merged[lanes ? lanePosition(j, len) : j];
      }
    }
    return out;
  }

  private static float[] pick(float[] v, int[] positions) {
    float[] out = new float[positions.length];
    for (int s = 0; s < positions.length; s++) {
      out[s] = v[positions[s]];
    }
    return out;
  }

  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  private static float[][] slices(List<float[]> xs, int first, int len, boolean lanes) {
    float[][] out = new float[xs.size()][];
    for (int i = 0; i < xs.size(); i++) {
      out[i] = slice(xs.get(i), first, len, lanes);
    }
    return out;
  }

  private static float[] slice(float[] v, int first, int len, boolean lanes) {
    float[] out = new float[len];
    for (int j = 0; j < len; j++) {
      out[lanes ? lanePosition(j, len) : j] = v[first + j];
    }
    return out;
  }

  private static int lanePosition(int index, int len) {
    int half = len / 2;
    if (index >= 2 * half) {
      return index;
    }
    return (index & 1) == 0 ? index / 2 : half + index / 2;
  }

  @Test
  void methodsWithoutBlockwiseFormSayNone() {
    ResolvedParameters p = params(2, 0.5, null, true);
    assertThat(method("della").blockwiseKernel(NAME, new long[] {10}, p, 2, true, 7L)).isNull();
    assertThat(method("slerp").blockwiseKernel(NAME, new long[] {10}, p, 1, true, 7L)).isNull();
  }
}
