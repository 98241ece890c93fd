package dev.amalgam.merge.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Lane order is evens then odds; decoding and encoding agree with the natural-order codec. */
class Bf16LanesTest {
  private static final float[] SPECIALS = {
    0f,
    -0f,
    Float.NaN,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    Float.MIN_VALUE,
    3.3895314e38f
  };

  private static float[] values(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] =
          r.nextInt(10) == 0
              ? SPECIALS[r.nextInt(SPECIALS.length)]
              : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 6)));
    }
    return v;
  }

  /** Position of natural element i in lane order. */
  private static int lane(int i, int len) {
    int half = len / 2;
    if (i == len - 1 && (len & 1) == 1) {
      return i;
    }
    return (i & 1) == 0 ? i / 2 : half + i / 2;
  }

  @Test
  void decodesEvenElementsThenOddOnesForEveryLengthAndOffset() {
    float[] natural = values(1001, 1);
    byte[] encoded = DTypeCodec.encode(DType.BF16, natural);
    MemorySegment src = MemorySegment.ofArray(encoded);
    Bf16Lanes lanes = new Bf16Lanes(600);
    for (int first : new int[] {0, 1, 7, 400}) {
      for (int len : new int[] {0, 1, 2, 3, 64, 513, 600}) {
        float[] got = new float[len];
        lanes.decode(src, first, len, got);
        float[] want = new float[len];
        DTypeCodec.decode(DType.BF16, src, first, want, 0, len);
        for (int i = 0; i < len; i++) {
          assertThat(Float.floatToRawIntBits(got[lane(i, len)]))
              .as("first %d len %d element %d", first, len, i)
              .isEqualTo(Float.floatToRawIntBits(want[i]));
        }
      }
    }
  }

  @Test
  void encodesLikeTheNaturalOrderCodecIncludingRoundingAndNaN() {
    Bf16Lanes lanes = new Bf16Lanes(1001);
    for (int len : new int[] {1, 2, 5, 1000, 1001}) {
      float[] natural = values(len, len);
      float[] laneOrder = new float[len];
      for (int i = 0; i < len; i++) {
        laneOrder[lane(i, len)] = natural[i];
      }
      MemorySegment out = Arena.ofAuto().allocate(2L * len + 6);
      lanes.encode(laneOrder, len, out, 6);
      byte[] want = DTypeCodec.encode(DType.BF16, natural);
      assertThat(out.asSlice(6).toArray(ValueLayout.JAVA_BYTE)).as("len %d", len).isEqualTo(want);
    }
  }
}
