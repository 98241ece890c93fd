package dev.amalgam.merge.method;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BlockScratchTest {

  @Test
  void takeReturnsTheSmallestArrayGivenBackThatIsLargeEnough() {
    BlockScratch s = new BlockScratch();
    int[] small = new int[10];
    int[] medium = new int[100];
    int[] large = new int[1000];
    s.give(large);
    s.give(small);
    s.give(medium);
    assertThat(s.take(50)).isSameAs(medium);
    assertThat(s.take(50)).isSameAs(large);
    assertThat(s.take(50)).hasSize(50).isNotSameAs(small);
  }

  @Test
  void anArrayIsNeverHandedOutTwiceUntilGivenBack() {
    BlockScratch s = new BlockScratch();
    int[] a = s.take(8);
    s.give(a);
    int[] first = s.take(8);
    int[] second = s.take(8);
    assertThat(first).isSameAs(a);
    assertThat(second).isNotSameAs(first);
  }

  @Test
  void keepsAtMostEightArraysDroppingTheSmallest() {
    BlockScratch s = new BlockScratch();
    int[][] given = new int[9][];
    for (int i = 0; i < 9; i++) {
      given[i] = new int[i + 1];
      s.give(given[i]);
    }
    // The array of length 1 was dropped: nine takes of size 1 get the eight others, then a new one.
    for (int i = 1; i < 9; i++) {
      assertThat(s.take(1)).isSameAs(given[i]);
    }
    assertThat(s.take(1)).isNotSameAs(given[0]);
  }
}
