package dev.amalgam.merge.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Converts little-endian tensor bytes to and from fp32. Decoding of every float type is exact (F64
 * rounds to nearest); encoding rounds to nearest, ties to even.
 */
public final class DTypeCodec {
  private static final ValueLayout.OfFloat F32 =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble F64 =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final int BLOCK = 8192;

  private DTypeCodec() {}

  /**
   * Decodes {@code count} elements of {@code type} starting at element {@code first} of {@code src}
   * into {@code dst[dstOffset..]}.
   */
  public static void decode(
      DType type, MemorySegment src, long first, float[] dst, int dstOffset, int count) {
    long base = first * type.byteSize();
    switch (type) {
      case F32 -> MemorySegment.copy(src, F32, base, dst, dstOffset, count);
      case F16, BF16 -> decodeHalves(type, src, base, dst, dstOffset, count);
      case F64 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = (float) src.get(F64, base + 8L * i);
        }
      }
      case F8_E4M3 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = e4m3ToFloat(src.get(ValueLayout.JAVA_BYTE, base + i));
        }
      }
      case F8_E5M2 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] =
              Float.float16ToFloat((short) (src.get(ValueLayout.JAVA_BYTE, base + i) << 8));
        }
      }
      case I64 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = src.get(I64, base + 8L * i);
        }
      }
      case I32 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = src.get(I32, base + 4L * i);
        }
      }
      case I16 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = src.get(I16, base + 2L * i);
        }
      }
      case I8 -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = src.get(ValueLayout.JAVA_BYTE, base + i);
        }
      }
      case U8, BOOL -> {
        for (int i = 0; i < count; i++) {
          dst[dstOffset + i] = src.get(ValueLayout.JAVA_BYTE, base + i) & 0xFF;
        }
      }
    }
  }

  private static void decodeHalves(
      DType type, MemorySegment src, long base, float[] dst, int dstOffset, int count) {
    short[] buf = new short[Math.min(count, BLOCK)];
    for (int done = 0; done < count; ) {
      int n = Math.min(buf.length, count - done);
      MemorySegment.copy(src, I16, base + 2L * done, buf, 0, n);
      if (type == DType.F16) {
        for (int i = 0; i < n; i++) {
          dst[dstOffset + done + i] = Float.float16ToFloat(buf[i]);
        }
      } else {
        for (int i = 0; i < n; i++) {
          dst[dstOffset + done + i] = Float.intBitsToFloat(buf[i] << 16);
        }
      }
      done += n;
    }
  }

  /** float8 e4m3fn: bias 7, no infinities, S.1111.111 is NaN, max 448. */
  static float e4m3ToFloat(byte b) {
    int bits = b & 0xFF;
    int sign = bits >>> 7;
    int exp = (bits >>> 3) & 0xF;
    int mant = bits & 0x7;
    float value;
    if (exp == 0xF && mant == 0x7) {
      value = Float.NaN;
    } else if (exp == 0) {
      value = mant / 8f * 0x1p-6f;
    } else {
      value = (1 + mant / 8f) * Math.scalb(1f, exp - 7);
    }
    return sign == 1 ? -value : value;
  }

  /**
   * Encodes {@code src} as {@code type}, little-endian, into {@code dst} at byte {@code offset}.
   */
  public static void encode(
      DType type, float[] src, int srcOffset, int count, MemorySegment dst, long offset) {
    switch (type) {
      case F32 -> MemorySegment.copy(src, srcOffset, dst, F32, offset, count);
      case F64 -> {
        for (int i = 0; i < count; i++) {
          dst.set(F64, offset + 8L * i, src[srcOffset + i]);
        }
      }
      case F16, BF16 -> encodeHalves(type, src, srcOffset, count, dst, offset);
      default ->
          throw new IllegalArgumentException(
              "writing tensors as " + type + " is not supported (use F32, F16, BF16 or F64)");
    }
  }

  /** Encodes through a small short[] block so the conversion loop runs over plain arrays. */
  private static void encodeHalves(
      DType type, float[] src, int srcOffset, int count, MemorySegment dst, long offset) {
    short[] buf = new short[Math.min(count, BLOCK)];
    int[] bits = type == DType.BF16 ? new int[buf.length] : null;
    for (int done = 0; done < count; ) {
      int n = Math.min(buf.length, count - done);
      int from = srcOffset + done;
      if (type == DType.F16) {
        for (int i = 0; i < n; i++) {
          buf[i] = Float.floatToFloat16(src[from + i]);
        }
      } else {
        roundToBf16(src, from, n, bits, buf);
      }
      MemorySegment.copy(buf, 0, dst, I16, offset + 2L * done, n);
      done += n;
    }
  }

  /**
   * {@link #floatToBf16} over {@code n} floats. The float bits are copied to {@code bits} in bulk,
   * rounded in a loop of plain integer operations, and NaNs (rare) are fixed up in a second pass
   * only when a scan finds one; keeping the NaN case out of the main loop lets it vectorize.
   */
  private static void roundToBf16(float[] src, int from, int n, int[] bits, short[] out) {
    MemorySegment.copy(
        MemorySegment.ofArray(src), 4L * from, MemorySegment.ofArray(bits), 0, 4L * n);
    for (int i = 0; i < n; i++) {
      int b = bits[i];
      out[i] = (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
    }
    int nanSeen = 0;
    for (int i = 0; i < n; i++) {
      nanSeen |= 0x7F800000 - (bits[i] & 0x7FFFFFFF);
    }
    if (nanSeen < 0) {
      for (int i = 0; i < n; i++) {
        out[i] = floatToBf16(src[from + i]);
      }
    }
  }

  /** Encodes a whole array as {@code type}; convenient for small tensors. */
  public static byte[] encode(DType type, float[] src) {
    byte[] out = new byte[Math.multiplyExact(src.length, type.byteSize())];
    encode(type, src, 0, src.length, MemorySegment.ofArray(out), 0);
    return out;
  }

  /**
   * Round to nearest, ties to even; a NaN stays a (quiet) NaN. Branch-free: the NaN case is chosen
   * with a mask so the loop over a tensor has no data-dependent branch.
   */
  static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
    int quietNan = (bits >>> 16) | 0x0040;
    int nanMask = (0x7F800000 - (bits & 0x7FFFFFFF)) >> 31;
    return (short) ((rounded & ~nanMask) | (quietNan & nanMask));
  }

  public static boolean canEncode(DType type) {
    return type == DType.F32 || type == DType.F16 || type == DType.BF16 || type == DType.F64;
  }
}
