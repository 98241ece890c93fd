package dev.amalgam.merge.method;

import java.util.Arrays;

/**
 * How a task vector is thinned before combining. Each sparsifier returns the kept delta and, for
 * {@code rescale: elementwise}, each kept entry's keep probability.
 */
enum Sparsifier {
  /** Keep everything. */
  NONE,
  /**
   * Keep the k = floor(density·n) entries of largest |d| over the whole tensor; equal magnitudes
   * are ordered by lower flat index first. k must be at least 1.
   */
  MAGNITUDE,
  /** DARE: keep each entry independently with probability {@code density}. */
  RANDOM,
  /**
   * Breadcrumbs: drop the top floor(γ·n) entries by |d| and the smallest ones so that
   * floor(density·n) remain; if the bottom count would be negative the excess comes off the top.
   * Unlike mergekit (which zeroes the whole tensor when floor(γ·n) = 0), Amalgam then drops no top
   * entries.
   */
  OUTLIERS,
  /**
   * DELLA: within each row (a 1-D tensor is one row) rank |d| ascending r = 1..m (the largest gets
   * m; equal magnitudes: the lower index counts as larger), q = (r−1)/(m−1) (q = 1/2 when m = 1),
   * keep with probability p = density − ε + 2ε·q. Requires 0 < density ± ε < 1.
   */
  DELLA;

  /**
   * Result of sparsifying one delta in place: whether anything was dropped, each entry's keep
   * probability ({@code probability[i]} when present, else {@code constantProbability}), and Σ|kept
   * delta| in index order when the sparsifier computed it on the way ({@code NaN} when not).
   */
  record Kept(boolean changed, double constantProbability, float[] probability, double l1) {
    static final Kept UNCHANGED = new Kept(false, 1, null, Double.NaN);

    Kept(boolean changed, double constantProbability, float[] probability) {
      this(changed, constantProbability, probability, Double.NaN);
    }

    double probability(int i) {
      return probability != null ? probability[i] : constantProbability;
    }
  }

  /**
   * Zeroes the dropped entries of {@code delta} in place.
   *
   * @param needProbabilities whether per-entry keep probabilities are wanted (elementwise rescale)
   */
  Kept apply(
      MergeInput in,
      int model,
      float[] delta,
      double density,
      double gamma,
      double eps,
      boolean needProbabilities) {
    int n = delta.length;
    String tensor = in.tensorName();
    return switch (this) {
      case NONE -> Kept.UNCHANGED;
      case MAGNITUDE -> {
        if (density >= 1) {
          yield Kept.UNCHANGED;
        }
        int k = (int) magnitudeKeepCount(tensor, density, n);
        RankSelection.keepRanksInPlace(delta, 0, k);
        yield new Kept(true, 1, null);
      }
      case OUTLIERS -> {
        int top = (int) Math.floor(gamma * n);
        int keep = (int) Math.min(n, Math.floor(density * n));
        int bottom = n - keep - top;
        if (bottom < 0) {
          top += bottom;
        }
        RankSelection.keepRanksInPlace(delta, top, top + keep);
        yield new Kept(true, 1, null);
      }
      case RANDOM -> {
        if (density >= 1) {
          yield Kept.UNCHANGED;
        }
        double l1 = dropRandomly(new CounterRandom(in.seed(), model, tensor), delta, density);
        yield new Kept(true, density, null, l1);
      }
      case DELLA -> della(in, model, delta, density, eps, needProbabilities);
    };
  }

  /** k = floor(density·n) for {@link #MAGNITUDE}; an error naming the tensor when it is 0. */
  static long magnitudeKeepCount(String tensor, double density, long n) {
    long k = (long) Math.floor(density * n);
    if (k < 1) {
      throw new MergeException(
          "tensor "
              + tensor
              + ": density "
              + density
              + " keeps no entry of "
              + n
              + "; raise density to at least "
              + (1.0 / n));
    }
    return k;
  }

  /**
   * DARE's mask: keeps entry i when {@link CounterRandom#keepMask} says so for the threshold of
   * {@code density}, and returns Σ|kept| (as {@link AbsSum} orders it).
   */
  static double dropRandomly(CounterRandom random, float[] delta, double density) {
    int threshold = CounterRandom.threshold31(density);
    for (int i = 0; i < delta.length; i++) {
      int keepMask = random.keepMask(i, threshold);
      delta[i] = Float.intBitsToFloat(Float.floatToRawIntBits(delta[i]) & keepMask);
    }
    return AbsSum.of(delta);
  }

  private static Kept della(
      MergeInput in,
      int model,
      float[] delta,
      double density,
      double eps,
      boolean needProbabilities) {
    if (!(density - eps > 0 && density + eps < 1)) {
      throw new MergeException(
          "tensor "
              + in.tensorName()
              + ": della density "
              + density
              + " ± epsilon "
              + eps
              + " must stay inside (0, 1); lower epsilon or move density");
    }
    int rows = in.rows();
    int m = in.rowLength();
    CounterRandom random = new CounterRandom(in.seed(), model, in.tensorName());
    float[] prob = needProbabilities ? new float[delta.length] : null;
    long[] order = new long[m];
    for (int row = 0; row < rows; row++) {
      int base = row * m;
      for (int j = 0; j < m; j++) {
        long inverted = 0x7FFFFFFFL - RankSelection.magnitudeBits(delta[base + j]);
        order[j] = (inverted << 32) | j;
      }
      Arrays.sort(order);
      for (int descRank = 0; descRank < m; descRank++) {
        int j = (int) (order[descRank] & 0xFFFFFFFFL);
        double q = m == 1 ? 0.5 : (double) (m - 1 - descRank) / (m - 1);
        double p = density - eps + 2 * eps * q;
        int i = base + j;
        if (prob != null) {
          prob[i] = (float) p;
        }
        if (random.uniform(i) >= p) {
          delta[i] = 0;
        }
      }
    }
    return new Kept(true, density, prob);
  }
}
