package dev.amalgam.merge.method;

import java.nio.charset.StandardCharsets;

/**
 * Counter-based random numbers: the value for an element is a pure function of (seed, model index,
 * tensor name, element index), so masks are the same on any machine, thread count or evaluation
 * order. Built from the SplitMix64 finalizer applied to the key fields one after another. {@link
 * #uniform} (53 bits, DELLA) draws with 64-bit arithmetic; {@link #keepMask} (31 bits, DARE) with
 * 32-bit arithmetic that vectorizes, as DARE draws one number per element of every tensor.
 */
public final class CounterRandom {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private final long key;

  public CounterRandom(long seed, int modelIndex, String tensorName) {
    long h = mix(seed + GOLDEN);
    h = mix(h ^ (modelIndex + 1L) * GOLDEN);
    h = mix(h ^ nameHash(tensorName));
    this.key = h;
  }

  /** A uniform double in [0, 1) for element {@code index}. */
  public double uniform(long index) {
    return bits53(index) * 0x1.0p-53;
  }

  /** The 53 random bits behind {@link #uniform}: {@code uniform(i) == bits53(i) * 2^-53}. */
  long bits53(long index) {
    return mix(key + (index + 1) * GOLDEN) >>> 11;
  }

  /**
   * DARE's keep test for element {@code index}: all ones when the entry is kept, zero when it is
   * dropped. An entry is kept when its 31 random bits ({@link #bits31}) are below {@code threshold}
   * ({@link #threshold31}), i.e. with probability {@code threshold}·2^-31.
   */
  int keepMask(long index, int threshold) {
    return (bits31(laneKey(index), (int) index) - threshold) >> 31;
  }

  /**
   * The key of the 2^32 consecutive indices that share {@code index}'s upper 32 bits: a block that
   * stays inside them computes it once and then draws every element from 32-bit arithmetic alone,
   * in eight lanes per AVX2 vector, which the JIT vectorizes.
   */
  int laneKey(long index) {
    return (int) mix(key ^ (index >>> 32));
  }

  /**
   * 31 random bits for the element whose lower 32 index bits are {@code low}: the MurmurHash3
   * finalizer of a Weyl step from the lane key, shifted to be non-negative.
   */
  static int bits31(int laneKey, int low) {
    int h = low * 0x9E3779B9 + laneKey;
    h = (h ^ (h >>> 16)) * 0x85EBCA6B;
    h = (h ^ (h >>> 13)) * 0xC2B2AE35;
    return (h ^ (h >>> 16)) >>> 1;
  }

  /**
   * ⌈p·2^31⌉, the threshold of {@link #keepMask} for keep probability p; capped at 2^31 − 1, so a p
   * above 1 − 2^-31 keeps each entry with probability 1 − 2^-31, and p ≤ 0 keeps nothing.
   */
  static int threshold31(double p) {
    if (!(p > 0)) {
      return 0;
    }
    return (int) Math.min(Math.ceil(p * 0x1.0p31), Integer.MAX_VALUE);
  }

  /** FNV-1a 64 over the UTF-8 bytes of the name. */
  static long nameHash(String name) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
