package dev.amalgam.merge.method;

import static dev.amalgam.merge.method.Tensors.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TaskArithmeticVariantsTest {
  private static final String NAME = "model.layers.0.mlp.up_proj.weight";

  @Test
  void dareTiesKeepsCounterMaskedEntriesThenElectsSigns() {
    int n = 500;
    float[] base = random(50, n);
    List<float[]> models = List.of(random(51, n), random(52, n));
    double density = 0.5;
    ResolvedParameters p =
        weights(1, 2).global("density", density).global("rescale", "elementwise").build();
    float[] out = method("dare_ties").merge(flat(base, models, p));
    double[] w = {1, 2};
    for (int e = 0; e < n; e++) {
      double[] v = new double[2];
      double sum = 0;
      for (int i = 0; i < 2; i++) {
        float d = models.get(i)[e] - base[e];
        boolean keep =
            new CounterRandom(7L, i, NAME).keepMask(e, CounterRandom.threshold31(density)) != 0;
        v[i] = keep ? w[i] * (float) (d / density) : 0;
        sum += v[i];
      }
      double mix = 0;
      for (int i = 0; i < 2; i++) {
        if (sum >= 0 ? v[i] > 0 : v[i] < 0) {
          mix += v[i];
        }
      }
      assertThat((double) out[e]).isCloseTo(base[e] + mix, within(1e-5));
    }
  }

  @Test
  void breadcrumbsTiesCombinesOutlierMaskWithSignElection() {
    float[] base = new float[6];
    List<float[]> models = List.of(floats(5, 1, -2, 3, 0.5, 4), floats(-6, 2, 1, -3, -0.1, 1));
    ResolvedParameters p = weights(1, 1).global("density", 0.5).global("gamma", 0.2).build();
    // n = 6: drop top 1, keep 3. Model 0 keeps 4, 3, -2; model 1 keeps 3, 2, 1 (by |d|).
    // Sums: e0 0, e1 2, e2 -1, e3 0, e4 0, e5 4 (model 0: 4 kept; model 1: 1 not kept).
    float[] out = method("breadcrumbs_ties").merge(flat(base, models, p));
    assertThat(out).containsExactly(0f, 2f, -2f, 3f, 0f, 4f);
  }

  @Test
  void dellaLinearUsesRowRankProbabilitiesWithoutConsensus() {
    float[] base = new float[4];
    List<float[]> models = List.of(floats(0.1, 0.4, 0.2, 0.3), floats(-0.3, 0.1, 0.2, 0.05));
    ResolvedParameters p =
        weights(1, 1)
            .global("density", 0.5)
            .global("epsilon", 0.2)
            .global("rescale", false)
            .build();
    float[] out = method("della_linear").merge(flat(base, models, p));
    // Ascending ranks give p = 0.3, 0.7, 0.4333, 0.5667 (model 0) and 0.7, 0.4333, 0.5667, 0.3
    // (model 1; the two 0.2-ish values do not tie here).
    double[][] prob = {
      {0.3, 0.7, 0.3 + 0.4 / 3, 0.3 + 0.8 / 3}, {0.7, 0.3 + 0.4 / 3, 0.3 + 0.8 / 3, 0.3}
    };
    for (int e = 0; e < 4; e++) {
      double expected = 0;
      for (int i = 0; i < 2; i++) {
        if (new CounterRandom(7L, i, NAME).uniform(e) < prob[i][e]) {
          expected += models.get(i)[e];
        }
      }
      assertThat((double) out[e]).isCloseTo(expected, within(1e-6));
    }
  }

  @Test
  void tiesWithRescaleTrueRestoresTheL1NormOfEachDelta() {
    float[] base = new float[4];
    float[] x = floats(4, -1, 2, 1);
    ResolvedParameters p = weights(1).model(0, "density", 0.5).global("rescale", true).build();
    float[] out = method("ties").merge(flat(base, List.of(x), p));
    // Keeps 4 and 2 (L1 6 of 8): factor 8/6.
    assertThat((double) out[0]).isCloseTo(4 * 8.0 / 6, within(1e-6));
    assertThat(out[1]).isZero();
    assertThat((double) out[2]).isCloseTo(2 * 8.0 / 6, within(1e-6));
    assertThat(out[3]).isZero();
  }

  @Test
  void taskArithmeticAcceptsDensityButNeverSparsifies() {
    float[] out =
        method("task_arithmetic")
            .merge(
                flat(
                    floats(0, 0, 0),
                    List.of(floats(1, 2, 3)),
                    weights(1).global("density", 0.1).build()));
    assertThat(out).containsExactly(1f, 2f, 3f);
  }

  @Test
  void resultsAreBitIdenticalWhenTensorsAreMergedOnManyThreads() throws Exception {
    int tensors = 12;
    int n = 4096;
    List<MergeInput> inputs = new ArrayList<>();
    for (int t = 0; t < tensors; t++) {
      ResolvedParameters p = weights(0.6, 0.4).global("density", 0.3).build();
      inputs.add(
          input(
              "model.layers." + t + ".mlp.down_proj.weight",
              new long[] {64, 64},
              random(100 + t, n),
              List.of(random(200 + t, n), random(300 + t, n)),
              p));
    }
    for (String name : List.of("ties", "dare_ties", "della")) {
      MergeMethod m = method(name);
      List<float[]> sequential = new ArrayList<>();
      for (MergeInput in : inputs) {
        sequential.add(m.merge(withEpsilon(in, name)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<float[]>> futures = new ArrayList<>();
        for (int t = tensors - 1; t >= 0; t--) {
          MergeInput in = withEpsilon(inputs.get(t), name);
          futures.add(pool.submit(() -> m.merge(in)));
        }
        for (int t = 0; t < tensors; t++) {
          assertThat(futures.get(tensors - 1 - t).get()).as(name).isEqualTo(sequential.get(t));
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static MergeInput withEpsilon(MergeInput in, String method) {
    if (!method.equals("della")) {
      return in;
    }
    ResolvedParameters p = weights(0.6, 0.4).global("density", 0.3).global("epsilon", 0.1).build();
    return new MergeInput(in.tensorName(), in.shape(), in.base(), in.models(), p, in.seed());
  }
}
