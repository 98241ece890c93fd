package dev.amalgam.merge.method;

/**
 * Σ|d_i| for the L1 rescale, in a fixed order that blocks of any size and either element order
 * reproduce bit for bit: entry i goes to slot i mod 8, each slot sums its entries in index order,
 * and {@link #total} adds the slots from 0 to 7. Eight chains instead of one let the additions
 * overlap, where a single running sum waits for every previous addition.
 */
final class AbsSum {
  private static final int SLOTS = 8;
  private final double[] slot = new double[SLOTS];

  /** Σ|d| of a whole array (entry i is element i). */
  static double of(float[] d) {
    AbsSum s = new AbsSum();
    s.add(0, d, d.length);
    return s.total();
  }

  /** Adds elements {@code first .. first+len} held in natural order in {@code d[0..len)}. */
  void add(long first, float[] d, int len) {
    int j = 0;
    if ((first & (SLOTS - 1)) == 0) {
      double s0 = slot[0], s1 = slot[1], s2 = slot[2], s3 = slot[3];
      double s4 = slot[4], s5 = slot[5], s6 = slot[6], s7 = slot[7];
      for (; j + SLOTS <= len; j += SLOTS) {
        s0 += Math.abs((double) d[j]);
        s1 += Math.abs((double) d[j + 1]);
        s2 += Math.abs((double) d[j + 2]);
        s3 += Math.abs((double) d[j + 3]);
        s4 += Math.abs((double) d[j + 4]);
        s5 += Math.abs((double) d[j + 5]);
        s6 += Math.abs((double) d[j + 6]);
        s7 += Math.abs((double) d[j + 7]);
      }
      store(s0, s1, s2, s3, s4, s5, s6, s7);
    }
    for (; j < len; j++) {
      slot[(int) ((first + j) & (SLOTS - 1))] += Math.abs((double) d[j]);
    }
  }

  /**
   * Adds elements {@code first .. first+len} held in lane order (the even elements, then the odd
   * ones, a last unpaired element last; see {@link BlockwiseKernel}).
   */
  void addLanes(long first, float[] d, int len) {
    int half = len / 2;
    int k = 0;
    if ((first & (SLOTS - 1)) == 0) {
      double s0 = slot[0], s1 = slot[1], s2 = slot[2], s3 = slot[3];
      double s4 = slot[4], s5 = slot[5], s6 = slot[6], s7 = slot[7];
      for (; k + SLOTS / 2 <= half; k += SLOTS / 2) {
        s0 += Math.abs((double) d[k]);
        s2 += Math.abs((double) d[k + 1]);
        s4 += Math.abs((double) d[k + 2]);
        s6 += Math.abs((double) d[k + 3]);
        s1 += Math.abs((double) d[half + k]);
        s3 += Math.abs((double) d[half + k + 1]);
        s5 += Math.abs((double) d[half + k + 2]);
        s7 += Math.abs((double) d[half + k + 3]);
      }
      store(s0, s1, s2, s3, s4, s5, s6, s7);
    }
    for (; k < half; k++) {
      long even = first + 2L * k;
      slot[(int) (even & (SLOTS - 1))] += Math.abs((double) d[k]);
      slot[(int) ((even + 1) & (SLOTS - 1))] += Math.abs((double) d[half + k]);
    }
    if ((len & 1) != 0) {
      slot[(int) ((first + len - 1) & (SLOTS - 1))] += Math.abs((double) d[len - 1]);
    }
  }

  double total() {
    double t = 0;
    for (double s : slot) {
      t += s;
    }
    return t;
  }

  private void store(
      double s0, double s1, double s2, double s3, double s4, double s5, double s6, double s7) {
    slot[0] = s0;
    slot[1] = s1;
    slot[2] = s2;
    slot[3] = s3;
    slot[4] = s4;
    slot[5] = s5;
    slot[6] = s6;
    slot[7] = s7;
  }
}
