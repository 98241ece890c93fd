package dev.amalgam.merge.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class HeapSegmentsTest {

  @Test
  void anArrayKeepsItsSegmentAndEverySegmentAddressesItsOwnArray() {
    HeapSegments segments = new HeapSegments();
    float[] a = {1f, 2f};
    int[] b = {3, 4};
    MemorySegment first = segments.of(a);
    assertThat(segments.of(a)).isSameAs(first);
    assertThat(segments.of(b)).isNotSameAs(first);
    MemorySegment.copy(segments.of(a), 0, segments.of(b), 0, 8);
    assertThat(b).containsExactly(Float.floatToRawIntBits(1f), Float.floatToRawIntBits(2f));
  }

  @Test
  void moreArraysThanSlotsStillGetSegmentsOverThemselves() {
    HeapSegments segments = new HeapSegments();
    long[][] arrays = new long[20][];
    for (int i = 0; i < arrays.length; i++) {
      arrays[i] = new long[] {i};
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < arrays.length; i++) {
        assertThat(segments.of(arrays[i]).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(i);
      }
    }
    double[] d = {0.5};
    assertThat(segments.of(d).get(ValueLayout.JAVA_DOUBLE, 0)).isEqualTo(0.5);
  }
}
