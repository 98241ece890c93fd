package dev.amalgam.merge.method;

import static dev.amalgam.merge.method.Tensors.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TaskArithmeticMethodTest {
  private static final String NAME = "model.layers.0.mlp.up_proj.weight";

  @Test
  void taskArithmeticAddsWeightedDeltas() {
    float[] out =
        method("task_arithmetic")
            .merge(
                flat(
                    floats(1, 1, 1),
                    List.of(floats(2, 0, 1), floats(1, 3, 5)),
                    weights(1, 0.5).build()));
    assertThat(out).containsExactly(2f, 1f, 3f);
  }

  @Test
  void taskArithmeticAppliesLambdaAndNormalize() {
    float[] out =
        method("task_arithmetic")
            .merge(
                flat(
                    floats(1, 1),
                    List.of(floats(3, 1), floats(1, 5)),
                    weights(1, 3).global("normalize", true).global("lambda", 2.0).build()));
    // mix = (2, 12) / 4 = (0.5, 3); out = b + 2·mix
    assertThat(out).containsExactly(2f, 7f);
  }

  @Test
  void tiesWithDensityOneAndOneModelReturnsBasePlusDelta() {
    float[] base = random(11, 500);
    float[] x = random(12, 500);
    float[] out =
        method("ties").merge(flat(base, List.of(x), weights(0.7).model(0, "density", 1.0).build()));
    float[] expected = new float[500];
    for (int i = 0; i < 500; i++) {
      expected[i] = base[i] + (x[i] - base[i]);
    }
    assertThat(out).isEqualTo(expected);
  }

  @Test
  void tiesKeepsTopMagnitudesAndAgreeingSigns() {
    float[] base = new float[4];
    List<float[]> models =
        List.of(floats(3, -1, 2, 0.5), floats(-2, -4, 1, 0.5), floats(1, 2, -3, -0.1));
    ResolvedParameters p = weights(1, 1, 1).global("density", 0.5).build();
    float[] out = method("ties").merge(flat(base, models, p));
    assertThat(out).containsExactly(3f, -4f, -3f, 0f);
  }

  @Test
  void tiesMatchesReferenceLoopWithUnequalWeights() {
    int n = 300;
    float[] base = random(1, n);
    List<float[]> models = List.of(random(2, n), random(3, n), random(4, n));
    double[] w = {1, 0.5, 2};
    double[] density = {0.3, 0.6, 0.9};
    ResolvedParameters.Builder b = weights(w);
    for (int i = 0; i < 3; i++) {
      b.model(i, "density", density[i]);
    }
    float[] out = method("ties").merge(flat(base, models, b.build()));
    double[][] wd = new double[3][n];
    for (int i = 0; i < 3; i++) {
      float[] d = new float[n];
      for (int e = 0; e < n; e++) {
        d[e] = models.get(i)[e] - base[e];
      }
      int k = (int) Math.floor(density[i] * n);
      int[] order =
          IntStream.range(0, n)
              .boxed()
              .sorted(Comparator.comparingDouble(e -> -Math.abs(d[e])))
              .mapToInt(Integer::intValue)
              .toArray();
      for (int r = 0; r < k; r++) {
        wd[i][order[r]] = w[i] * d[order[r]];
      }
    }
    for (int e = 0; e < n; e++) {
      double sum = wd[0][e] + wd[1][e] + wd[2][e];
      double mix = 0;
      double div = 0;
      for (int i = 0; i < 3; i++) {
        if ((sum >= 0 && wd[i][e] > 0) || (sum < 0 && wd[i][e] < 0)) {
          mix += wd[i][e];
          div += w[i];
        }
      }
      double expected = base[e] + mix / (div == 0 ? 1 : div);
      assertThat((double) out[e]).as("element %d", e).isCloseTo(expected, within(1e-6));
    }
  }

  @Test
  void dareMasksAreTheSameForTheSameKeyInAnyEvaluationOrder() {
    int n = 1000;
    float[] base = random(5, n);
    List<float[]> models = List.of(random(6, n), random(7, n));
    ResolvedParameters p = weights(1, 1).global("density", 0.4).build();
    MergeMethod dare = method("dare_ties");
    MergeInput first =
        input("model.layers.1.self_attn.q_proj.weight", new long[] {n}, base, models, p);
    MergeInput second =
        input("model.layers.2.self_attn.q_proj.weight", new long[] {n}, base, models, p);
    float[] a1 = dare.merge(first);
    float[] b1 = dare.merge(second);
    float[] b2 = dare.merge(second);
    float[] a2 = dare.merge(first);
    assertThat(a2).isEqualTo(a1);
    assertThat(b2).isEqualTo(b1);
    assertThat(a1).isNotEqualTo(b1);
  }

  @Test
  void dareLinearMatchesCounterMaskWithL1Rescale() {
    int n = 2000;
    float[] base = random(8, n);
    float[] x = random(9, n);
    double density = 0.3;
    float[] out =
        method("dare_linear")
            .merge(flat(base, List.of(x), weights(1).model(0, "density", density).build()));
    CounterRandom random = new CounterRandom(7L, 0, NAME);
    double[] kept = new double[n];
    double l1All = 0;
    double l1Kept = 0;
    int keptCount = 0;
    for (int e = 0; e < n; e++) {
      float d = x[e] - base[e];
      l1All += Math.abs(d);
      if (random.keepMask(e, CounterRandom.threshold31(density)) != 0) {
        kept[e] = d;
        l1Kept += Math.abs(d);
        keptCount++;
      }
    }
    assertThat(keptCount / (double) n).isCloseTo(density, within(0.05));
    for (int e = 0; e < n; e++) {
      double expected = base[e] + kept[e] * (l1All / l1Kept);
      assertThat((double) out[e]).isCloseTo(expected, within(1e-5));
    }
  }

  @Test
  void breadcrumbsDropsTopOutliersAndSmallEntries() {
    float[] base = new float[10];
    float[] x = floats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    MergeMethod bc = method("breadcrumbs");
    assertThat(bc.merge(flat(base, List.of(x), crumbs(0.5, 0.1))))
        .containsExactly(0, 0, 0, 0, 5, 6, 7, 8, 9, 0);
    assertThat(bc.merge(flat(base, List.of(x), crumbs(0.5, 0.01))))
        .as("floor(gamma·n) = 0 drops no top entries")
        .containsExactly(0, 0, 0, 0, 0, 6, 7, 8, 9, 10);
    assertThat(bc.merge(flat(base, List.of(x), crumbs(1.0, 0.1))))
        .as("negative bottom count moves the excess to the top")
        .containsExactly(x);
  }

  private static ResolvedParameters crumbs(double density, double gamma) {
    return weights(1).model(0, "density", density).model(0, "gamma", gamma).build();
  }

  @Test
  void dellaKeepsLargerEntriesMoreOftenAndRescalesElementwise() {
    int rows = 40;
    int cols = 3;
    float[] base = new float[rows * cols];
    float[] x = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      x[r * cols] = 0.1f;
      x[r * cols + 1] = 0.4f;
      x[r * cols + 2] = 0.2f;
    }
    double[] p = {0.4, 0.6, 0.5};
    ResolvedParameters params =
        weights(1)
            .model(0, "density", 0.5)
            .model(0, "epsilon", 0.1)
            .global("rescale", "elementwise")
            .build();
    String name = "model.layers.4.mlp.gate_proj.weight";
    float[] out =
        method("della").merge(input(name, new long[] {rows, cols}, base, List.of(x), params));
    CounterRandom random = new CounterRandom(7L, 0, name);
    for (int e = 0; e < rows * cols; e++) {
      double prob = p[e % cols];
      double expected = random.uniform(e) < prob ? x[e] / (float) prob : 0;
      assertThat((double) out[e]).isCloseTo(expected, within(1e-6));
    }
  }

  @Test
  void dellaRejectsDensityPlusEpsilonOutsideUnitInterval() {
    assertThatThrownBy(
            () ->
                method("della")
                    .merge(
                        flat(
                            floats(0, 0),
                            List.of(floats(1, 2)),
                            weights(1).model(0, "density", 0.9).build())))
        .isInstanceOf(MergeException.class)
        .hasMessageContaining("della density 0.9 ± epsilon 0.15 must stay inside (0, 1)");
  }

  @Test
  void tiesRejectsDensityThatKeepsNothing() {
    assertThatThrownBy(
            () ->
                method("ties")
                    .merge(
                        flat(
                            floats(0, 0, 0),
                            List.of(floats(1, 2, 3)),
                            weights(1).model(0, "density", 0.2).build())))
        .hasMessageContaining("keeps no entry");
  }

  @Test
  void taskArithmeticRequiresBase() {
    assertThatThrownBy(
            () ->
                method("task_arithmetic").merge(flat(null, List.of(floats(1)), weights(1).build())))
        .hasMessageContaining("task_arithmetic needs base_model");
  }
}
