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

  @Test
  void dareKeepsEachEntryWithTheDensityAsProbability() {
    CounterRandom r = new CounterRandom(5, 0, "model.layers.0.self_attn.q_proj.weight");
    for (double density : new double[] {0.1, 0.5, 0.9}) {
      int threshold = CounterRandom.threshold31(density);
      int kept = 0;
      int n = 200_000;
      for (int i = 0; i < n; i++) {
        int mask = r.keepMask(i, threshold);
        assertThat(mask).isIn(0, -1);
        kept -= mask;
      }
      assertThat(kept / (double) n).as("density %s", density).isCloseTo(density, within(0.005));
    }
  }

  @Test
  void dareThresholdKeepsNothingAtZeroAndCountsTheRestInStepsOfTwoToTheMinus31() {
    assertThat(CounterRandom.threshold31(0)).isZero();
    assertThat(CounterRandom.threshold31(-1)).isZero();
    assertThat(CounterRandom.threshold31(0.5)).isEqualTo(1 << 30);
    assertThat(CounterRandom.threshold31(0x1p-31)).isEqualTo(1);
    assertThat(CounterRandom.threshold31(1)).isEqualTo(Integer.MAX_VALUE);
    CounterRandom r = new CounterRandom(5, 0, "t");
    for (int i = 0; i < 1000; i++) {
      assertThat(r.keepMask(i, 0)).isZero();
    }
  }

  /** Blocks draw from the lane key of their upper index bits; indices past 2^32 get new draws. */
  @Test
  void dareDrawsDependOnTheWholeIndexNotItsLower32Bits() {
    CounterRandom r = new CounterRandom(5, 0, "t");
    int threshold = CounterRandom.threshold31(0.5);
    int same = 0;
    for (int i = 0; i < 1000; i++) {
      long low = i;
      long high = (1L << 32) + i;
      assertThat(r.keepMask(high, threshold))
          .isEqualTo((CounterRandom.bits31(r.laneKey(high), (int) high) - threshold) >> 31);
      same += r.keepMask(low, threshold) == r.keepMask(high, threshold) ? 1 : 0;
    }
    assertThat(same).isBetween(400, 600);
  }
}
