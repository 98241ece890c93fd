package dev.amalgam.merge.method;

import static dev.amalgam.merge.method.Tensors.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The blocked, branch-free TIES consensus must give exactly the scalar formula: per element, the
 * f64 sum of w·d in model order, sign (zero or NaN counts as +), agreeing v = w·d and weights
 * summed in model order, a zero divisor read as 1.
 */
class ConsensusKernelTest {

  @Test
  void tiesConsensusEqualsScalarFormulaIncludingZerosInfinitiesAndNaN() {
    assertConsensusMatchesScalarFormula(
        new float[] {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
  }

  /** Blocks without infinities or NaN take the kernel's vectorized path; it must agree too. */
  @Test
  void tiesConsensusOnFiniteBlocksEqualsScalarFormulaForZerosTinyAndHugeDeltas() {
    assertConsensusMatchesScalarFormula(
        new float[] {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 3e38f, -3e38f, 1e-30f});
  }

  private static void assertConsensusMatchesScalarFormula(float[] specials) {
    int n = 5000; // more than one block of the kernel
    SplittableRandom r = new SplittableRandom(3);
    float[] base = new float[n];
    float[][] xs = new float[3][n];
    for (int e = 0; e < n; e++) {
      base[e] = (float) r.nextDouble(-1, 1);
      for (int i = 0; i < 3; i++) {
        int pick = r.nextInt(20);
        xs[i][e] =
            pick < specials.length
                ? base[e] + specials[pick]
                : pick < 8 ? base[e] : (float) r.nextDouble(-1, 1);
      }
    }
    double[] w = {0.5, -0.25, 1.0};
    for (boolean normalize : new boolean[] {true, false}) {
      ResolvedParameters p =
          weights(w)
              .global("density", 1.0)
              .global("normalize", normalize)
              .global("lambda", 0.75)
              .build();
      float[] out = method("ties").merge(flat(base, List.of(xs[0], xs[1], xs[2]), p));
      for (int e = 0; e < n; e++) {
        assertThat(Float.floatToRawIntBits(out[e]))
            .as("element %d normalize %s", e, normalize)
            .isEqualTo(Float.floatToRawIntBits(scalar(base, xs, w, e, normalize, 0.75)));
      }
    }
  }

  private static float scalar(
      float[] base, float[][] xs, double[] w, int e, boolean normalize, double lambda) {
    double sum = 0;
    for (int i = 0; i < xs.length; i++) {
      sum += (double) (float) w[i] * (xs[i][e] - base[e]);
    }
    int sign = sum < 0 ? -1 : 1;
    double mix = 0;
    double divisor = 0;
    for (int i = 0; i < xs.length; i++) {
      double v = (double) (float) w[i] * (xs[i][e] - base[e]);
      int s = v > 0 ? 1 : v < 0 ? -1 : 0;
      if (s == sign) {
        mix += v;
        divisor += (float) w[i];
      }
    }
    if (divisor == 0) {
      divisor = 1;
    }
    if (normalize) {
      mix /= divisor;
    }
    return (float) (base[e] + lambda * mix);
  }
}
