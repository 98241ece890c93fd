package dev.amalgam.merge.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class DTypeCodecTest {
  private static float decodeOne(DType type, byte... bytes) {
    float[] out = new float[1];
    DTypeCodec.decode(type, MemorySegment.ofArray(bytes), 0, out, 0, 1);
    return out[0];
  }

  @Test
  void decodesFloat8E4m3fnIncludingSubnormalsAndMax() {
    assertThat(decodeOne(DType.F8_E4M3, (byte) 0x38)).isEqualTo(1f); // exp 7, mant 0
    assertThat(decodeOne(DType.F8_E4M3, (byte) 0x7E)).isEqualTo(448f); // largest finite
    assertThat(decodeOne(DType.F8_E4M3, (byte) 0x01)).isEqualTo(0x1p-9f); // smallest subnormal
    assertThat(decodeOne(DType.F8_E4M3, (byte) 0xB8)).isEqualTo(-1f);
    assertThat(decodeOne(DType.F8_E4M3, (byte) 0x7F)).isNaN();
  }

  @Test
  void decodesFloat8E5m2AsTheTopByteOfHalf() {
    assertThat(decodeOne(DType.F8_E5M2, (byte) 0x3C)).isEqualTo(1f);
    assertThat(decodeOne(DType.F8_E5M2, (byte) 0x7C)).isInfinite();
    assertThat(decodeOne(DType.F8_E5M2, (byte) 0xC0)).isEqualTo(-2f);
  }

  @Test
  void decodesIntegersAndBool() {
    assertThat(decodeOne(DType.I8, (byte) 0xFF)).isEqualTo(-1f);
    assertThat(decodeOne(DType.U8, (byte) 0xFF)).isEqualTo(255f);
    assertThat(decodeOne(DType.BOOL, (byte) 1)).isEqualTo(1f);
    assertThat(decodeOne(DType.I16, (byte) 0x00, (byte) 0x80)).isEqualTo(-32768f);
    assertThat(decodeOne(DType.I32, (byte) 0x2A, (byte) 0, (byte) 0, (byte) 0)).isEqualTo(42f);
    assertThat(
            decodeOne(
                DType.I64,
                (byte) 0xFE,
                (byte) 0xFF,
                (byte) 0xFF,
                (byte) 0xFF,
                (byte) 0xFF,
                (byte) 0xFF,
                (byte) 0xFF,
                (byte) 0xFF))
        .isEqualTo(-2f);
  }

  @Test
  void bf16EncodingRoundsToNearestEven() {
    // 1 + 2^-8 is exactly half way between bf16 1.0 and 1.0078125: ties to even gives 1.0.
    assertThat(DTypeCodec.floatToBf16(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
    // Slightly above half way rounds up.
    assertThat(DTypeCodec.floatToBf16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81);
    assertThat(Float.isNaN(Float.intBitsToFloat(DTypeCodec.floatToBf16(Float.NaN) << 16))).isTrue();
  }

  @Test
  void everyWritableTypeRoundTripsValuesItCanRepresent() {
    float[] values = {0f, 1f, -2.5f, 0.125f, 1024f};
    for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16, DType.F64}) {
      byte[] bytes = DTypeCodec.encode(t, values);
      float[] back = new float[values.length];
      DTypeCodec.decode(t, MemorySegment.ofArray(bytes), 0, back, 0, values.length);
      assertThat(back).as(t.name()).containsExactly(values);
    }
  }

  @Test
  void decodesBlocksFromAnElementOffset() {
    byte[] bytes = DTypeCodec.encode(DType.BF16, new float[] {1f, 2f, 3f, 4f});
    float[] out = new float[2];
    DTypeCodec.decode(DType.BF16, MemorySegment.ofArray(bytes), 2, out, 0, 2);
    assertThat(out).containsExactly(3f, 4f);
  }
}
