package dev.amalgam.merge.method;

import java.nio.charset.StandardCharsets;

/**
 * Counter-based random numbers: the value for an element is a pure function of (seed, model index,
 * tensor name, element index), so masks are the same on any machine, thread count or evaluation
 * order. Built from the SplitMix64 finalizer applied to the key fields one after another.
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
   * The integer t with {@code uniform(i) < p} exactly when {@code bits53(i) < t}, so a keep test
   * needs no floating point: bits53 is an integer m, and m·2^-53 < p ⇔ m < ⌈p·2^53⌉.
   */
  static long threshold53(double p) {
    if (!(p > 0)) {
      return 0;
    }
    if (p >= 1) {
      return 1L << 53;
    }
    return (long) Math.ceil(p * 0x1.0p53);
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
