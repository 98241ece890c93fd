package dev.amalgam.merge.method;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AbsSumTest {

  @Test
  void sumsEverySlotInIndexOrderThenTheSlotsInOrder() {
    float[] d = values(1001);
    double[] slot = new double[8];
    for (int i = 0; i < d.length; i++) {
      slot[i % 8] += Math.abs((double) d[i]);
    }
    double expected = 0;
    for (double s : slot) {
      expected += s;
    }
    assertThat(AbsSum.of(d)).isEqualTo(expected);
  }

  @Test
  void blocksOfAnySizeInEitherElementOrderGiveTheSameBits() {
    float[] d = values(5003);
    double whole = AbsSum.of(d);
    for (int block : new int[] {5003, 1024, 1000, 333, 8, 7, 1}) {
      for (boolean lanes : new boolean[] {false, true}) {
        AbsSum sum = new AbsSum();
        for (int first = 0; first < d.length; first += block) {
          int len = Math.min(block, d.length - first);
          float[] b = new float[len];
          int half = len / 2;
          for (int j = 0; j < len; j++) {
            int position = !lanes || j >= 2 * half ? j : (j % 2 == 0 ? j / 2 : half + j / 2);
            b[position] = d[first + j];
          }
          if (lanes) {
            sum.addLanes(first, b, len);
          } else {
            sum.add(first, b, len);
          }
        }
        assertThat(sum.total()).as("block %d lanes %s", block, lanes).isEqualTo(whole);
      }
    }
  }

  private static float[] values(int n) {
    SplittableRandom r = new SplittableRandom(9);
    float[] d = new float[n];
    for (int i = 0; i < n; i++) {
      // Magnitudes over many orders, so that a different summation order changes the bits.
      d[i] = (float) (r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-8, 8)));
    }
    return d;
  }
}
