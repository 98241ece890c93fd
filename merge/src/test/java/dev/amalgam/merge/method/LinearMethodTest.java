package dev.amalgam.merge.method;

import static dev.amalgam.merge.method.Tensors.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinearMethodTest {

  @Test
  void weightsOneAndZeroReturnModelABitForBit() {
    float[] a = random(1, 1000);
    float[] b = random(2, 1000);
    float[] out = method("linear").merge(flat(null, List.of(a, b), weights(1, 0).build()));
    assertThat(out).isEqualTo(a);
  }

  @Test
  void computesWeightedAverageDividedBySumOfWeights() {
    float[] a = floats(1, 2, 3);
    float[] b = floats(4, -2, 0.5);
    float[] out = method("linear").merge(flat(null, List.of(a, b), weights(0.25, 0.5).build()));
    for (int i = 0; i < 3; i++) {
      double expected = (0.25 * a[i] + 0.5 * b[i]) / 0.75;
      assertThat((double) out[i]).isCloseTo(expected, within(1e-6));
    }
  }

  @Test
  void normalizeFalseKeepsTheWeightedSum() {
    float[] out =
        method("linear")
            .merge(
                flat(
                    null,
                    List.of(floats(1, 2), floats(3, 4)),
                    weights(0.5, 0.5).global("normalize", false).build()));
    assertThat(out).containsExactly(2f, 3f);
  }

  @Test
  void rejectsWeightsSummingToZeroNamingTheTensor() {
    assertThatThrownBy(
            () ->
                method("linear")
                    .merge(flat(null, List.of(floats(1), floats(2)), weights(1, -1).build())))
        .isInstanceOf(MergeException.class)
        .hasMessageContaining("model.layers.0.mlp.up_proj.weight")
        .hasMessageContaining("normalize: false");
  }

  @Test
  void rejectsMissingWeight() {
    assertThatThrownBy(
            () ->
                method("linear")
                    .merge(
                        flat(
                            null,
                            List.of(floats(1), floats(2)),
                            ResolvedParameters.builder().build())))
        .hasMessageContaining("linear needs 'weight'");
  }

  @Test
  void rejectsMismatchedShapes() {
    assertThatThrownBy(
            () ->
                new MergeInput(
                    "x",
                    new long[] {2},
                    null,
                    List.of(floats(1, 2), floats(1, 2, 3)),
                    weights(1, 1).build(),
                    0))
        .hasMessageContaining("mismatched shapes");
  }
}
