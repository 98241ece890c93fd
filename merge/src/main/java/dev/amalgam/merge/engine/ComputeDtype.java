package dev.amalgam.merge.engine;

import dev.amalgam.merge.checkpoint.DType;

/**
 * Rounds loaded values to the recipe's {@code dtype} (mergekit loads inputs in that type before
 * merging); the arithmetic itself always runs in fp32/f64.
 */
final class ComputeDtype {
  private ComputeDtype() {}

  static void round(float[] values, DType dtype) {
    round(values, values.length, dtype);
  }

  /** Rounds {@code values[0..len)}. */
  static void round(float[] values, int len, DType dtype) {
    if (dtype == null) {
      return;
    }
    switch (dtype) {
      case F16 -> {
        for (int i = 0; i < len; i++) {
          values[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
        }
      }
      case BF16 -> {
        for (int i = 0; i < len; i++) {
          values[i] = roundToBf16(values[i]);
        }
      }
      default -> {}
    }
  }

  /** Round to nearest, ties to even, keeping NaN a NaN. */
  static float roundToBf16(float f) {
    if (Float.isNaN(f)) {
      return f;
    }
    int bits = Float.floatToRawIntBits(f);
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(rounded & 0xFFFF0000);
  }
}
