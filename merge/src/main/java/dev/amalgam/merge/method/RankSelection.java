package dev.amalgam.merge.method;

/**
 * Selects entries by magnitude rank without sorting. The order is total: a larger |v| ranks first,
 * and among equal magnitudes the lower flat index ranks first. Rank 0 is the largest entry.
 * Selection is a two-pass 16-bit radix select on the bits of |v| (non-negative float bits order
 * like the floats), so it is O(n) and needs no n-sized scratch array.
 */
final class RankSelection {
  private RankSelection() {}

  /** A threshold: the magnitude bits of the entry at some rank, and how many entries exceed it. */
  private record Threshold(int bits, int greater) {}

  static int magnitudeBits(float v) {
    return Float.floatToRawIntBits(v) & 0x7FFFFFFF;
  }

  /** Marks the entries whose rank is in [lo, hi). */
  static boolean[] ranksBetween(float[] values, int lo, int hi) {
    int n = values.length;
    boolean[] keep = new boolean[n];
    lo = Math.max(0, lo);
    hi = Math.min(n, hi);
    if (lo >= hi) {
      return keep;
    }
    // Rank 0 is always at or after lo = 0, so the first threshold is only needed for lo > 0.
    Threshold first = lo == 0 ? new Threshold(Integer.MAX_VALUE, 0) : select(values, lo);
    Threshold last = select(values, hi - 1);
    int equalFirstSeen = 0;
    int equalLastSeen = 0;
    for (int i = 0; i < n; i++) {
      int bits = magnitudeBits(values[i]);
      boolean atOrAfterLo;
      if (bits != first.bits) {
        atOrAfterLo = bits < first.bits;
      } else {
        atOrAfterLo = first.greater + equalFirstSeen >= lo;
        equalFirstSeen++;
      }
      boolean atOrBeforeLast;
      if (bits != last.bits) {
        atOrBeforeLast = bits > last.bits;
      } else {
        atOrBeforeLast = last.greater + equalLastSeen <= hi - 1;
        equalLastSeen++;
      }
      keep[i] = atOrAfterLo && atOrBeforeLast;
    }
    return keep;
  }

  /**
   * Zeroes, in place, every entry whose rank is outside [lo, hi). The common case (magnitude not
   * equal to either threshold) is decided with integer arithmetic instead of branches, because
   * which entries survive is as unpredictable as the data.
   */
  static void keepRanksInPlace(float[] values, int lo, int hi) {
    int n = values.length;
    lo = Math.max(0, lo);
    hi = Math.min(n, hi);
    if (lo >= hi) {
      java.util.Arrays.fill(values, 0f);
      return;
    }
    Threshold first = lo == 0 ? new Threshold(Integer.MAX_VALUE, 0) : select(values, lo);
    Threshold last = select(values, hi - 1);
    int firstBits = first.bits;
    int lastBits = last.bits;
    int equalFirstSeen = 0;
    int equalLastSeen = 0;
    for (int i = 0; i < n; i++) {
      int raw = Float.floatToRawIntBits(values[i]);
      int bits = raw & 0x7FFFFFFF;
      int keep;
      if (bits == firstBits || bits == lastBits) {
        boolean atOrAfterLo =
            bits == firstBits ? first.greater + equalFirstSeen++ >= lo : bits < firstBits;
        boolean atOrBeforeLast =
            bits == lastBits ? last.greater + equalLastSeen++ <= hi - 1 : bits > lastBits;
        keep = atOrAfterLo && atOrBeforeLast ? 1 : 0;
      } else {
        // bits > lastBits and bits < firstBits; both differences fit in an int.
        keep = ((lastBits - bits) >>> 31) & ((bits - firstBits) >>> 31);
      }
      values[i] = Float.intBitsToFloat(raw & -keep);
    }
  }

  /** Marks the {@code k} entries of largest magnitude. */
  static boolean[] topK(float[] values, int k) {
    return ranksBetween(values, 0, k);
  }

  private static Threshold select(float[] values, int rank) {
    int[] high = new int[1 << 16];
    for (float v : values) {
      high[magnitudeBits(v) >>> 16]++;
    }
    int greater = 0;
    int bucket = (1 << 16) - 1;
    while (greater + high[bucket] <= rank) {
      greater += high[bucket];
      bucket--;
    }
    int[] low = new int[1 << 16];
    for (float v : values) {
      int bits = magnitudeBits(v);
      if (bits >>> 16 == bucket) {
        low[bits & 0xFFFF]++;
      }
    }
    int sub = (1 << 16) - 1;
    while (greater + low[sub] <= rank) {
      greater += low[sub];
      sub--;
    }
    return new Threshold((bucket << 16) | sub, greater);
  }
}
