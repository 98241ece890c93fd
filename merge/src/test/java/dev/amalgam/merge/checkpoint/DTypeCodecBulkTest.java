package dev.amalgam.merge.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DTypeCodecBulkTest {

  @Test
  void bulkBf16EncodeEqualsPerElementRoundingWithNanInfinitiesAndTies() {
    int n = 20_000; // several internal blocks
    SplittableRandom r = new SplittableRandom(5);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] =
          switch (r.nextInt(12)) {
            case 0 -> Float.intBitsToFloat(0x7FC00001 | (r.nextInt(2) << 31)); // NaN, either sign
            case 1 -> Float.intBitsToFloat(0x7F800001); // signalling NaN payload
            case 2 -> r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            case 3 -> -0f;
            case 4 -> Float.intBitsToFloat((r.nextInt() & 0xFFFF0000) | 0x8000); // exact tie
            case 5 -> Float.MAX_VALUE;
            default -> (float) r.nextGaussian();
          };
    }
    byte[] bulk = DTypeCodec.encode(DType.BF16, v);
    MemorySegment s = MemorySegment.ofArray(bulk);
    ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      assertThat(s.get(le, 2L * i)).as("element %d", i).isEqualTo(DTypeCodec.floatToBf16(v[i]));
    }
    // Without any NaN the fast path alone runs; spot-check it the same way.
    float[] finite = new float[n];
    for (int i = 0; i < n; i++) {
      finite[i] = (float) r.nextGaussian();
    }
    MemorySegment f = MemorySegment.ofArray(DTypeCodec.encode(DType.BF16, finite));
    for (int i = 0; i < n; i++) {
      assertThat(f.get(le, 2L * i)).isEqualTo(DTypeCodec.floatToBf16(finite[i]));
    }
  }
}
