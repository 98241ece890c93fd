package dev.amalgam.merge.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CounterRandomTest {

  @Test
  void sameKeyGivesSameValueRegardlessOfOrder() {
    CounterRandom forward = new CounterRandom(42, 1, "model.layers.3.mlp.down_proj.weight");
    CounterRandom other = new CounterRandom(42, 1, "model.layers.3.mlp.down_proj.weight");
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      values[i] = forward.uniform(i);
    }
    for (int i = 99; i >= 0; i--) {
      assertThat(other.uniform(i)).isEqualTo(values[i]);
    }
  }

  @Test
  void differentSeedModelOrTensorGiveDifferentStreams() {
    double a = new CounterRandom(42, 0, "t").uniform(5);
    assertThat(new CounterRandom(43, 0, "t").uniform(5)).isNotEqualTo(a);
    assertThat(new CounterRandom(42, 1, "t").uniform(5)).isNotEqualTo(a);
    assertThat(new CounterRandom(42, 0, "u").uniform(5)).isNotEqualTo(a);
  }

  @Test
  void valuesAreUniformInUnitInterval() {
    CounterRandom r = new CounterRandom(0, 0, "x");
    double sum = 0;
    int below = 0;
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      double u = r.uniform(i);
      assertThat(u).isBetween(0.0, 1.0).isLessThan(1.0);
      sum += u;
      if (u < 0.3) {
        below++;
      }
    }
    assertThat(sum / n).isCloseTo(0.5, within(0.01));
    assertThat(below / (double) n).isCloseTo(0.3, within(0.01));
  }
}
