package dev.amalgam.merge.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * BF16 blocks in lane order: a block of {@code len} elements is held as fp32 with the even elements
 * first and the odd elements after them (a last, unpaired element stays last). Two BF16 values are
 * one 32-bit word, so decoding and encoding in this order are plain int loops that the JIT
 * vectorizes; in natural order they need a short-to-float conversion per element, which it does not
 * vectorize. Only computations where element e depends on element e of the inputs alone may run in
 * lane order; every input and the output of such a block must use it.
 */
public final class Bf16Lanes {
  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  // Separate arrays for the two lanes: stores into two parts of one array could overlap as far as
  // the JIT knows, and then it does not vectorize the loop.
  private final int[] words;
  private final int[] even;
  private final int[] odd;
  private final MemorySegment evenSegment;
  private final MemorySegment oddSegment;
  private final HeapSegments segments = new HeapSegments();

  /** Scratch for blocks of up to {@code maxLen} elements; one instance per thread. */
  public Bf16Lanes(int maxLen) {
    int half = (maxLen + 1) / 2;
    words = new int[half];
    even = new int[half];
    odd = new int[half];
    evenSegment = MemorySegment.ofArray(even);
    oddSegment = MemorySegment.ofArray(odd);
  }

  /**
   * Decodes BF16 elements {@code [first, first+len)} of {@code src} into {@code dst[0..len)} in
   * lane order.
   */
  public void decode(MemorySegment src, long first, int len, float[] dst) {
    int half = len / 2;
    long offset = 2 * first;
    MemorySegment.copy(src, I32, offset, words, 0, half);
    for (int k = 0; k < half; k++) {
      int w = words[k];
      even[k] = w << 16;
      odd[k] = w & 0xFFFF0000;
    }
    MemorySegment to = segments.of(dst);
    MemorySegment.copy(evenSegment, 0, to, 0, 4L * half);
    MemorySegment.copy(oddSegment, 0, to, 4L * half, 4L * half);
    if ((len & 1) != 0) {
      dst[len - 1] = Float.intBitsToFloat(src.get(I16, offset + 2L * (len - 1)) << 16);
    }
  }

  /**
   * Encodes {@code src[0..len)}, in lane order, as BF16 into {@code dst} at byte {@code offset}
   * (round to nearest, ties to even; a NaN stays a quiet NaN, as {@link DTypeCodec} does).
   */
  public void encode(float[] src, int len, MemorySegment dst, long offset) {
    int half = len / 2;
    MemorySegment from = segments.of(src);
    MemorySegment.copy(from, 0, evenSegment, 0, 4L * half);
    MemorySegment.copy(from, 4L * half, oddSegment, 0, 4L * half);
    int nanSeen = 0;
    for (int k = 0; k < half; k++) {
      int e = even[k];
      int o = odd[k];
      int low = (e + 0x7FFF + ((e >>> 16) & 1)) >>> 16;
      int high = (o + 0x7FFF + ((o >>> 16) & 1)) & 0xFFFF0000;
      words[k] = low | high;
      nanSeen |= (0x7F800000 - (e & 0x7FFFFFFF)) | (0x7F800000 - (o & 0x7FFFFFFF));
    }
    if (nanSeen < 0) {
      for (int k = 0; k < half; k++) {
        int low = DTypeCodec.floatToBf16(src[k]) & 0xFFFF;
        words[k] = low | (DTypeCodec.floatToBf16(src[half + k]) << 16);
      }
    }
    MemorySegment.copy(words, 0, dst, I32, offset, half);
    if ((len & 1) != 0) {
      dst.set(I16, offset + 2L * (len - 1), DTypeCodec.floatToBf16(src[len - 1]));
    }
  }
}
