package dev.amalgam.merge.method;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RankSelectionTest {

  @Test
  void breaksMagnitudeTiesByLowerFlatIndex() {
    float[] v = {1, -3, 3, 2, -3, 0};
    assertThat(RankSelection.topK(v, 2)).containsExactly(false, true, true, false, false, false);
    assertThat(RankSelection.topK(v, 3)).containsExactly(false, true, true, false, true, false);
  }

  @Test
  void matchesASortedReferenceOnDataWithManyDuplicates() {
    SplittableRandom r = new SplittableRandom(3);
    float[] v = new float[2000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (r.nextInt(41) - 20) / 4f;
    }
    Integer[] order =
        IntStream.range(0, v.length).boxed().sorted(reference(v)).toArray(Integer[]::new);
    for (int[] range : new int[][] {{0, 1}, {0, 700}, {13, 1500}, {1999, 2000}, {0, 2000}}) {
      boolean[] expected = new boolean[v.length];
      for (int rank = range[0]; rank < range[1]; rank++) {
        expected[order[rank]] = true;
      }
      assertThat(RankSelection.ranksBetween(v, range[0], range[1])).isEqualTo(expected);
    }
  }

  @Test
  void inPlaceMaskingKeepsExactlyTheMarkedRanks() {
    SplittableRandom r = new SplittableRandom(4);
    float[] v = new float[3000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (r.nextInt(61) - 30) / 8f;
    }
    v[7] = Float.NaN;
    v[8] = -0.0f;
    for (int[] range : new int[][] {{0, 1}, {0, 1000}, {37, 2100}, {2999, 3000}, {0, 3000}}) {
      boolean[] marked = RankSelection.ranksBetween(v, range[0], range[1]);
      float[] masked = v.clone();
      RankSelection.keepRanksInPlace(masked, range[0], range[1]);
      for (int i = 0; i < v.length; i++) {
        assertThat(Float.floatToRawIntBits(masked[i]))
            .as("element %d of range %d..%d", i, range[0], range[1])
            .isEqualTo(marked[i] ? Float.floatToRawIntBits(v[i]) : 0);
      }
    }
  }

  private static Comparator<Integer> reference(float[] v) {
    return Comparator.<Integer>comparingDouble(i -> -Math.abs(v[i]))
        .thenComparingInt(Integer::intValue);
  }
}
