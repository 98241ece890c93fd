package dev.amalgam.merge.method;

import static dev.amalgam.merge.method.Tensors.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class InterpolationMethodsTest {
  private static final double R = Math.sqrt(0.5);

  private static ResolvedParameters t(double t) {
    return ResolvedParameters.builder().global("t", t).build();
  }

  private static void assertClose(float[] actual, double... expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-6));
    }
  }

  @Test
  void slerpAtZeroReturnsTheBase() {
    float[] base = random(21, 777);
    float[] x = random(22, 777);
    assertThat(method("slerp").merge(flat(base, List.of(x), t(0)))).isEqualTo(base);
  }

  @Test
  void slerpFollowsTheGreatCircleOnUnnormalizedVectors() {
    float[] out = method("slerp").merge(flat(floats(2, 0), List.of(floats(0, 3)), t(1.0 / 3)));
    // θ = π/2: out = sin(π/3)·(2,0) + sin(π/6)·(0,3)
    assertClose(out, 2 * Math.sin(Math.PI / 3), 3 * Math.sin(Math.PI / 6));
  }

  @Test
  void slerpFallsBackToLerpForNearlyParallelVectors() {
    float[] out = method("slerp").merge(flat(floats(1, 2), List.of(floats(2, 4.001)), t(0.25)));
    assertClose(out, 0.75 * 1 + 0.25 * 2, 0.75 * 2 + 0.25 * 4.001f);
  }

  @Test
  void nuslerpTakesTFromTheWeights() {
    float[] out =
        method("nuslerp")
            .merge(flat(null, List.of(floats(1, 0), floats(0, 1)), weights(1, 3).build()));
    assertClose(out, Math.sin(0.25 * Math.PI / 2), Math.sin(0.75 * Math.PI / 2));
  }

  @Test
  void nuslerpWithBaseInterpolatesDeltas() {
    float[] out =
        method("nuslerp")
            .merge(flat(floats(1, 1), List.of(floats(2, 1), floats(1, 2)), weights(1, 1).build()));
    assertClose(out, 1 + R, 1 + R);
  }

  @Test
  void nuslerpRowWiseAndColumnWiseInterpolateEachVector() {
    // a = [[1, 0], [1, 1]], b = [[0, 1], [1, 1]]
    float[] a = floats(1, 0, 1, 1);
    float[] b = floats(0, 1, 1, 1);
    ResolvedParameters rows =
        weights(1, 1).global("nuslerp_flatten", false).global("nuslerp_row_wise", true).build();
    float[] out = method("nuslerp").merge(input("w", new long[] {2, 2}, null, List.of(a, b), rows));
    assertClose(out, R, R, 1, 1);
    ResolvedParameters cols = weights(1, 1).global("nuslerp_flatten", false).build();
    float[] outCols =
        method("nuslerp").merge(input("w", new long[] {2, 2}, null, List.of(a, b), cols));
    // columns: a = (1,1),(0,1); b = (0,1),(1,1); each pair is 45° apart.
    double theta = Math.PI / 4;
    double c = Math.sin(theta / 2) / Math.sin(theta);
    assertClose(outCols, c * 1, c * 1, c * 2, c * 2);
  }

  @Test
  void multislerpOfOrthogonalUnitVectorsIsTheirBisector() {
    float[] out =
        method("multislerp")
            .merge(flat(null, List.of(floats(1, 0), floats(0, 1)), weights(1, 1).build()));
    assertClose(out, R, R);
  }

  @Test
  void multislerpMatchesReferenceLoop() {
    int n = 50;
    List<float[]> x = List.of(random(31, n), random(32, n), random(33, n));
    double[] w = {0.2, 0.3, 0.5};
    float[] out = method("multislerp").merge(flat(null, x, weights(w).build()));
    double eps = 1e-8;
    double[][] u = new double[3][n];
    double scale = 0;
    for (int i = 0; i < 3; i++) {
      double norm = 0;
      for (float v : x.get(i)) {
        norm += v * (double) v;
      }
      norm = Math.sqrt(norm);
      scale += w[i] * norm;
      for (int e = 0; e < n; e++) {
        u[i][e] = x.get(i)[e] / (norm + eps);
      }
    }
    double[] m = new double[n];
    for (int e = 0; e < n; e++) {
      for (int i = 0; i < 3; i++) {
        m[e] += w[i] * u[i][e];
      }
    }
    double mn = Math.sqrt(dot(m, m));
    for (int e = 0; e < n; e++) {
      m[e] /= mn;
    }
    double[] tau = new double[n];
    for (int i = 0; i < 3; i++) {
      double proj = dot(u[i], m);
      for (int e = 0; e < n; e++) {
        tau[e] += w[i] * (u[i][e] - proj * m[e]);
      }
    }
    double tn = Math.sqrt(dot(tau, tau));
    double[] expected = new double[n];
    for (int e = 0; e < n; e++) {
      expected[e] = (m[e] * Math.cos(tn) + tau[e] * Math.sin(tn) / tn) * scale;
    }
    assertClose(out, expected);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void karcherMeanOfOrthogonalVectorsIsTheBisectorAtMeanNorm() {
    ResolvedParameters none = ResolvedParameters.builder().build();
    float[] two = method("karcher").merge(flat(null, List.of(floats(1, 0), floats(0, 2)), none));
    assertClose(two, 1.5 * R, 1.5 * R);
    float[] three =
        method("karcher")
            .merge(flat(null, List.of(floats(1, 0, 0), floats(0, 1, 0), floats(0, 0, 1)), none));
    double c = 1 / Math.sqrt(3);
    assertClose(three, c, c, c);
  }

  @Test
  void modelStockInterpolatesByDeltaCosine() {
    ResolvedParameters none = ResolvedParameters.builder().build();
    MergeMethod stock = method("model_stock");
    assertClose(stock.merge(flat(floats(0, 0), List.of(floats(1, 0), floats(0, 1)), none)), 0, 0);
    float[] out = stock.merge(flat(floats(0, 0), List.of(floats(1, 0), floats(1, 1)), none));
    double c = R;
    double t = 2 * c / (1 + c);
    assertClose(out, t * 1, t * 0.5);
  }

  @Test
  void modelStockFilterWiseUsesEachRow() {
    ResolvedParameters rows = ResolvedParameters.builder().global("filter_wise", true).build();
    float[] base = floats(0, 0, 0, 0);
    float[] out =
        method("model_stock")
            .merge(
                input(
                    "w",
                    new long[] {2, 2},
                    base,
                    List.of(floats(1, 0, 1, 1), floats(0, 1, 1, 1)),
                    rows));
    // Row 0 deltas are orthogonal (t = 0); row 1 deltas are equal (t = 1).
    assertClose(out, 0, 0, 1, 1);
  }

  @Test
  void nearswapTakesTheBaseWhereModelsAreClose() {
    float[] out =
        method("nearswap").merge(flat(floats(0, 0, 0), List.of(floats(0.05, 1, -0.2)), t(0.1)));
    assertClose(out, 0, 0.9, -0.1);
  }

  @Test
  void sceWeightsByMeanSquaredDeltaAndErasesMinoritySigns() {
    ResolvedParameters none = ResolvedParameters.builder().build();
    float[] out =
        method("sce").merge(flat(floats(0, 0), List.of(floats(1, -2), floats(3, 1)), none));
    assertClose(out, 1.0 / 3 + 2, -2);
  }

  @Test
  void sceSelectsTopVarianceElements() {
    ResolvedParameters half = ResolvedParameters.builder().global("select_topk", 0.5).build();
    float[] out =
        method("sce").merge(flat(floats(0, 0), List.of(floats(1, -2), floats(3, 1)), half));
    assertClose(out, 0, -2);
  }

  @Test
  void passthroughCopiesBitsOrScales() {
    float[] x = random(40, 100);
    MergeMethod pass = method("passthrough");
    assertThat(pass.merge(flat(null, List.of(x), ResolvedParameters.builder().build())))
        .isEqualTo(x);
    float[] half =
        pass.merge(
            flat(null, List.of(x), ResolvedParameters.builder().model(0, "scale", 0.5).build()));
    for (int i = 0; i < x.length; i++) {
      assertThat(half[i]).isEqualTo(x[i] * 0.5f);
    }
  }

  @Test
  void registryListsEveryMergekitMethod() {
    assertThat(MergeMethods.names())
        .containsExactlyInAnyOrder(
            "linear",
            "slerp",
            "nuslerp",
            "multislerp",
            "karcher",
            "task_arithmetic",
            "ties",
            "dare_ties",
            "dare_linear",
            "breadcrumbs",
            "breadcrumbs_ties",
            "della",
            "della_linear",
            "model_stock",
            "nearswap",
            "sce",
            "passthrough");
  }
}
