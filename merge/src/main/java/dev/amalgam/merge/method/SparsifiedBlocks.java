package dev.amalgam.merge.method;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The task-arithmetic family with the {@link Sparsifier#MAGNITUDE magnitude} or {@link
 * Sparsifier#RANDOM random} sparsifier (ties, dare_ties, dare_linear), block by block with the
 * bytes of the whole-tensor method. What needs the whole tensor is gathered in statistics passes:
 *
 * <ol>
 *   <li>statistics: ‖d_i‖₁ before sparsifying (for L1 rescale), the random mask's ‖kept‖₁, and for
 *       the magnitude sparsifier the number of |d_i| above a candidate range plus the bits of those
 *       inside it. The range brackets the k-th largest magnitude of a {@link #sample sample} drawn
 *       across the tensor (or of the first block) with a margin of five binomial standard
 *       deviations, so it nearly always holds the exact threshold, which is then selected among the
 *       candidates alone;
 *   <li>only when the threshold fell outside the range: a histogram of the upper 16 bits of every
 *       |d_i|, then one of the lower 16 bits inside the threshold's bucket;
 *   <li>kept L1 for the magnitude sparsifier with L1 rescale: Σ|kept| once the threshold is known;
 * </ol>
 *
 * then every block is sparsified, rescaled and combined. L1 norms are summed in {@link AbsSum}'s
 * order and entries equal to the threshold are kept lowest index first, exactly as in {@link
 * TaskArithmeticMethod}. Random masks are drawn again from the counter-based generator when merging
 * (storing them as bits cost more than drawing them).
 */
final class SparsifiedBlocks implements BlockwiseKernel {
  private static final int STATISTICS = 0;
  private static final int HISTOGRAM = 1;
  private static final int REFINE = 2;
  private static final int KEPT_L1 = 3;
  private static final int MERGE = 4;

  /**
   * Elements sampled across the tensor to place the candidate range: the range then holds about 3%
   * of a tensor at density 0.5, so keeping a candidate is a rarely taken branch.
   */
  private static final int SAMPLE = 32768;

  /** Tensors up to this size are not sampled: their first block places the range. */
  private static final int UNSAMPLED = 4096;

  /** Margin of the candidate range around the sampled threshold rank, in standard deviations. */
  private static final double MARGIN_SIGMAS = 5;

  private final Sparsifier sparsifier;
  private final long n;
  private final Model[] models;
  private final TaskVectorCombiner combiner;
  private static final ThreadLocal<BlockScratch> SCRATCH =
      ThreadLocal.withInitial(BlockScratch::new);
  private BlockScratch scratch;

  private int stage = -1;

  /** What one model's delta needs. */
  private static final class Model {
    final boolean sparsify;
    final boolean l1Rescale;
    final boolean elementwise;
    final double probability;
    final CounterRandom random;
    final int randomThreshold;
    final long keep;
    final AbsSum l1Before = new AbsSum();
    final AbsSum l1Kept = new AbsSum();
    double factor = 1;
    boolean scale;
    // Magnitude selection: candidates in [rangeLow, rangeHigh], then the full histograms if the
    // threshold was not among them.
    boolean rangeSet;
    int rangeLow;
    int rangeHigh;
    long above;
    int[] candidates;
    int candidateCount;
    boolean overflow;
    int[] high;
    int[] low;
    int bucket = -1;
    long greaterThanBucket;
    boolean thresholdKnown;
    int thresholdBits;
    long equalQuota;
    long equalSeen;

    Model(
        boolean sparsify,
        boolean l1Rescale,
        boolean elementwise,
        double probability,
        CounterRandom random,
        int randomThreshold,
        long keep) {
      this.sparsify = sparsify;
      this.l1Rescale = l1Rescale;
      this.elementwise = elementwise;
      this.probability = probability;
      this.random = random;
      this.randomThreshold = randomThreshold;
      this.keep = keep;
    }
  }

  SparsifiedBlocks(
      Sparsifier sparsifier,
      String tensor,
      long n,
      double[] density,
      boolean l1Rescale,
      boolean elementwise,
      long seed,
      TaskVectorCombiner combiner) {
    if (sparsifier != Sparsifier.MAGNITUDE && sparsifier != Sparsifier.RANDOM) {
      throw new IllegalArgumentException(sparsifier + " has no block-by-block form");
    }
    this.sparsifier = sparsifier;
    this.n = n;
    this.combiner = combiner;
    this.models = new Model[density.length];
    for (int i = 0; i < density.length; i++) {
      boolean sparsify = density[i] < 1;
      boolean magnitude = sparsifier == Sparsifier.MAGNITUDE;
      models[i] =
          new Model(
              sparsify,
              l1Rescale,
              elementwise,
              magnitude ? 1 : density[i],
              magnitude ? null : new CounterRandom(seed, i, tensor),
              magnitude ? 0 : CounterRandom.threshold31(density[i]),
              magnitude && sparsify ? Sparsifier.magnitudeKeepCount(tensor, density[i], n) : 0);
    }
  }

  @Override
  public int sampleSize() {
    if (sparsifier != Sparsifier.MAGNITUDE || n <= UNSAMPLED) {
      return 0;
    }
    for (Model m : models) {
      if (m.sparsify) {
        return (int) Math.min(SAMPLE, n / 2);
      }
    }
    return 0;
  }

  /** Places each model's candidate range from elements sampled across the tensor. */
  @Override
  public void sample(float[] base, float[][] x, int len) {
    scratch = SCRATCH.get();
    for (int i = 0; i < models.length; i++) {
      Model m = models[i];
      if (m.sparsify && sparsifier == Sparsifier.MAGNITUDE && len > 0) {
        setRange(m, delta(i, x[i], base, len), len);
      }
    }
  }

  @Override
  public boolean needsPass() {
    if (stage == -1) {
      stage = firstStageFrom(STATISTICS);
    }
    return stage < MERGE;
  }

  private int firstStageFrom(int from) {
    for (int s = from; s < MERGE; s++) {
      for (Model m : models) {
        if (m.sparsify && needs(s, m)) {
          return s;
        }
      }
    }
    return MERGE;
  }

  private boolean needs(int stage, Model m) {
    boolean magnitude = sparsifier == Sparsifier.MAGNITUDE;
    return switch (stage) {
      case STATISTICS -> magnitude || m.l1Rescale;
      case HISTOGRAM -> magnitude && !m.thresholdKnown && m.bucket < 0;
      case REFINE -> magnitude && !m.thresholdKnown;
      case KEPT_L1 -> magnitude && m.l1Rescale;
      default -> false;
    };
  }

  @Override
  public void observe(long first, float[] base, float[][] x, int len, boolean laneOrder) {
    scratch = SCRATCH.get();
    for (int i = 0; i < models.length; i++) {
      Model m = models[i];
      if (!m.sparsify || !needs(stage, m)) {
        continue;
      }
      float[] d = delta(i, x[i], base, len);
      switch (stage) {
        case STATISTICS -> {
          if (m.l1Rescale && sparsifier == Sparsifier.MAGNITUDE) {
            addAbs(m.l1Before, first, d, len, laneOrder);
          }
          if (sparsifier == Sparsifier.MAGNITUDE) {
            candidates(m, d, len);
          } else {
            randomNorms(m, d, first, len, laneOrder);
          }
        }
        case HISTOGRAM -> histogram(m, d, len);
        case REFINE -> refine(m, d, len);
        case KEPT_L1 -> {
          magnitudeMask(m, d, len, laneOrder);
          addAbs(m.l1Kept, first, d, len, laneOrder);
        }
        default -> throw new IllegalStateException("no statistics pass left");
      }
    }
  }

  @Override
  public void endPass() {
    scratch = SCRATCH.get();
    for (Model m : models) {
      if (!m.sparsify || !needs(stage, m)) {
        continue;
      }
      switch (stage) {
        case STATISTICS -> {
          if (sparsifier == Sparsifier.MAGNITUDE) {
            selectAmongCandidates(m);
          } else {
            setScale(m);
          }
        }
        case HISTOGRAM -> selectBucket(m);
        case REFINE -> selectWithin(m, m.low);
        case KEPT_L1 -> {
          setScale(m);
          m.equalSeen = 0;
        }
        default -> throw new IllegalStateException("no statistics pass left");
      }
    }
    stage = firstStageFrom(stage + 1);
  }

  @Override
  public void merge(
      long first, float[] base, float[][] x, int len, boolean laneOrder, float[] out) {
    scratch = SCRATCH.get();
    if (stage != MERGE && needsPass()) {
      throw new IllegalStateException("statistics passes are missing");
    }
    float[][] kept = new float[models.length][];
    for (int i = 0; i < models.length; i++) {
      Model m = models[i];
      float[] d = delta(i, x[i], base, len);
      if (m.sparsify) {
        if (sparsifier == Sparsifier.MAGNITUDE) {
          magnitudeMask(m, d, len, laneOrder);
        } else {
          randomMask(m, d, first, len, laneOrder);
        }
        if (m.elementwise) {
          double p = (float) m.probability;
          for (int j = 0; j < len; j++) {
            d[j] = (float) (d[j] / p);
          }
        } else if (m.scale) {
          double factor = m.factor;
          for (int j = 0; j < len; j++) {
            d[j] = (float) (d[j] * factor);
          }
        }
      }
      kept[i] = d;
    }
    combiner.combine(base, kept, false, len, out);
  }

  private float[] delta(int model, float[] x, float[] base, int len) {
    if (scratch.deltas.length <= model || scratch.deltas[model].length < len) {
      scratch.deltas =
          Arrays.copyOf(scratch.deltas, Math.max(models.length, scratch.deltas.length));
      for (int i = 0; i < models.length; i++) {
        if (scratch.deltas[i] == null || scratch.deltas[i].length < len) {
          scratch.deltas[i] = new float[len];
        }
      }
    }
    float[] d = scratch.deltas[model];
    for (int j = 0; j < len; j++) {
      d[j] = x[j] - base[j];
    }
    return d;
  }

  /** Rescale factor ‖d‖₁ / ‖kept‖₁, applied only when both norms reach 1e-7. */
  private static void setScale(Model m) {
    double before = m.l1Before.total();
    double kept = m.l1Kept.total();
    if (m.l1Rescale && before >= 1e-7 && kept >= 1e-7) {
      m.factor = before / kept;
      m.scale = true;
    }
  }

  private static void addAbs(AbsSum sum, long first, float[] d, int len, boolean laneOrder) {
    if (laneOrder) {
      sum.addLanes(first, d, len);
    } else {
      sum.add(first, d, len);
    }
  }

  /** The statistics pass of DARE with L1 rescale: ‖d‖₁ and ‖kept‖₁ of the block. */
  private void randomNorms(Model m, float[] d, long first, int len, boolean laneOrder) {
    addAbs(m.l1Before, first, d, len, laneOrder);
    if (scratch.kept.length < len) {
      scratch.kept = new float[len];
    }
    keepRandomly(m, d, first, len, laneOrder, scratch.kept);
    addAbs(m.l1Kept, first, scratch.kept, len, laneOrder);
  }

  /** DARE's mask (see {@link Sparsifier#dropRandomly}) on a block, in place. */
  private void randomMask(Model m, float[] d, long first, int len, boolean laneOrder) {
    keepRandomly(m, d, first, len, laneOrder, d);
  }

  /**
   * Writes to {@code kept} the block {@code d} with the entries DARE drops zeroed, keyed by element
   * index. Inside one lane key (every block unless it straddles a multiple of 2^32) the draws are
   * 32-bit loops over the raw bits that vectorize (see {@link #keepDrawn}).
   */
  private void keepRandomly(
      Model m, float[] d, long first, int len, boolean laneOrder, float[] kept) {
    CounterRandom r = m.random;
    int t = m.randomThreshold;
    if ((first >>> 32) != ((first + len - 1) >>> 32)) {
      for (int j = 0; j < len; j++) {
        int mask = r.keepMask(first + (laneOrder ? laneOffset(j, len) : j), t);
        kept[j] = Float.intBitsToFloat(Float.floatToRawIntBits(d[j]) & mask);
      }
      return;
    }
    int key = r.laneKey(first);
    int low = (int) first;
    int[] offset = offsets(len);
    if (!laneOrder) {
      int[] raw = bits(d, 0, len);
      keepDrawn(raw, len, offset, key, low, 1, t);
      copy(raw, kept, 0, len);
      return;
    }
    int half = len / 2;
    int[] even = bits(d, 0, half);
    keepDrawn(even, half, offset, key, low, 2, t);
    copy(even, kept, 0, half);
    int[] odd = bits(d, half, half);
    keepDrawn(odd, half, offset, key, low + 1, 2, t);
    copy(odd, kept, half, half);
    if ((len & 1) != 0) {
      int mask = (CounterRandom.bits31(key, low + len - 1) - t) >> 31;
      kept[len - 1] = Float.intBitsToFloat(Float.floatToRawIntBits(d[len - 1]) & mask);
    }
  }

  /**
   * raw[k] keeps its bits when element low + stride·k is kept, for k below count. Indexed from 0
   * and with the offsets read from an array: the JIT does not vectorize this loop with arithmetic
   * on the loop index or with a second base offset into {@code raw}.
   */
  private static void keepDrawn(
      int[] raw, int count, int[] offset, int key, int low, int stride, int t) {
    for (int k = 0; k < count; k++) {
      raw[k] &= (CounterRandom.bits31(key, low + stride * offset[k]) - t) >> 31;
    }
  }

  private void copy(int[] raw, float[] to, int from, int len) {
    MemorySegment.copy(scratch.segments.of(raw), 0, scratch.segments.of(to), 4L * from, 4L * len);
  }

  /** 0, 1, …, len − 1. */
  private int[] offsets(int len) {
    if (scratch.offsets.length < len) {
      scratch.offsets = new int[len];
      for (int j = 0; j < len; j++) {
        scratch.offsets[j] = j;
      }
    }
    return scratch.offsets;
  }

  /**
   * The candidate range [rangeLow, rangeHigh] of magnitude bits: the sampled magnitudes at the
   * threshold's rank, widened by {@link #MARGIN_SIGMAS} standard deviations of that rank.
   */
  private void setRange(Model m, float[] d, int len) {
    int[] sample = scratch.take(len);
    for (int s = 0; s < len; s++) {
      sample[s] = Float.floatToRawIntBits(d[s]) & 0x7FFFFFFF;
    }
    Arrays.sort(sample, 0, len);
    double q = (double) (m.keep - 1) / n;
    double margin = MARGIN_SIGMAS * Math.sqrt(len * q * (1 - q)) + 8;
    long rank = Math.round(q * len); // from the top
    long top = rank - (long) Math.ceil(margin);
    long bottom = rank + (long) Math.ceil(margin);
    m.rangeHigh = top < 0 ? Integer.MAX_VALUE : sample[(int) (len - 1 - top)];
    m.rangeLow = bottom >= len ? 0 : sample[(int) (len - 1 - bottom)];
    m.rangeSet = true;
    scratch.give(sample);
  }

  /**
   * Counts the magnitudes above the candidate range and keeps the bits of those inside it. The
   * count is a reduction the JIT vectorizes; the range holds a few percent of the elements, so the
   * branch that keeps a candidate is rarely taken and rarely mispredicted.
   */
  private void candidates(Model m, float[] d, int len) {
    if (m.overflow) {
      return;
    }
    if (!m.rangeSet) {
      setRange(m, d, Math.min(len, SAMPLE));
    }
    int count = m.candidateCount;
    if (m.candidates == null || count + len > m.candidates.length) {
      long limit = Math.max(1 << 16, n / 2) + len;
      if (count + (long) len > limit) {
        m.overflow = true; // too many: the histogram passes will decide
        scratch.give(m.candidates);
        m.candidates = null;
        return;
      }
      // Powers of two, so that the next tensors find the arrays given back by this one.
      long wanted = Math.max(1 << 16, Long.highestOneBit(2L * (count + len) - 1) << 1);
      int size = (int) Math.min(limit, wanted);
      int[] larger = scratch.take(size);
      if (m.candidates != null) {
        System.arraycopy(m.candidates, 0, larger, 0, count);
        scratch.give(m.candidates);
      }
      m.candidates = larger;
    }
    int[] raw = bits(d, len);
    int highBits = m.rangeHigh;
    int above = 0;
    for (int j = 0; j < len; j++) {
      above += (highBits - (raw[j] & 0x7FFFFFFF)) >>> 31;
    }
    m.above += above;
    int[] candidates = m.candidates;
    int lowBits = m.rangeLow;
    // magnitude - lowBits <= span, unsigned: both sides shifted by MIN_VALUE for a signed compare
    int span = highBits - lowBits + Integer.MIN_VALUE;
    int shift = Integer.MIN_VALUE - lowBits;
    for (int j = 0; j < len; j++) {
      int magnitude = raw[j] & 0x7FFFFFFF;
      if (magnitude + shift <= span) {
        candidates[count++] = magnitude;
      }
    }
    m.candidateCount = count;
  }

  /**
   * The exact threshold when its rank falls among the candidates; otherwise the histogram passes
   * are scheduled.
   */
  private void selectAmongCandidates(Model m) {
    long rank = m.keep - 1;
    if (!m.overflow && rank >= m.above && rank - m.above < m.candidateCount) {
      int[] high = scratch.zeroed(scratch.high);
      int[] candidates = m.candidates;
      int count = m.candidateCount;
      for (int c = 0; c < count; c++) {
        high[candidates[c] >>> 16]++;
      }
      m.greaterThanBucket = m.above;
      m.bucket = bucketOf(m, high, rank);
      int[] low = scratch.zeroed(scratch.low);
      for (int c = 0; c < count; c++) {
        int bits = candidates[c];
        if (bits >>> 16 == m.bucket) {
          low[bits & 0xFFFF]++;
        }
      }
      selectWithin(m, low);
    } else {
      m.high = new int[2 << 15];
    }
    scratch.give(m.candidates);
    m.candidates = null;
  }

  /**
   * Counts the upper 16 bits of every |d|. Even and odd positions count into separate halves of the
   * histogram, so that runs of equal magnitudes do not make every increment wait for the previous
   * one.
   */
  private void histogram(Model m, float[] d, int len) {
    int[] raw = bits(d, len);
    int[] high = m.high;
    for (int j = 0; j < len; j++) {
      high[((j & 1) << 15) | ((raw[j] & 0x7FFFFFFF) >>> 16)]++;
    }
  }

  /** Finds the bucket of the k-th largest magnitude from the full histogram. */
  private static void selectBucket(Model m) {
    int half = m.high.length / 2;
    int[] merged = new int[half];
    for (int b = 0; b < half; b++) {
      merged[b] = m.high[b] + m.high[half + b];
    }
    m.greaterThanBucket = 0;
    m.bucket = bucketOf(m, merged, m.keep - 1);
    m.high = null;
    m.low = new int[1 << 16];
  }

  /**
   * The upper-16-bit bucket holding the entry of {@code rank}, counting down from the top bucket;
   * adds the entries of the buckets above it to {@code greaterThanBucket}.
   */
  private static int bucketOf(Model m, int[] high, long rank) {
    long greater = m.greaterThanBucket;
    int bucket = high.length - 1;
    while (greater + high[bucket] <= rank) {
      greater += high[bucket];
      bucket--;
    }
    m.greaterThanBucket = greater;
    return bucket;
  }

  private static void refine(Model m, float[] d, int len) {
    int bucket = m.bucket;
    int[] low = m.low;
    for (int j = 0; j < len; j++) {
      int bits = Float.floatToRawIntBits(d[j]) & 0x7FFFFFFF;
      if (bits >>> 16 == bucket) {
        low[bits & 0xFFFF]++;
      }
    }
  }

  private static void selectWithin(Model m, int[] low) {
    long rank = m.keep - 1;
    long greater = m.greaterThanBucket;
    int sub = low.length - 1;
    while (greater + low[sub] <= rank) {
      greater += low[sub];
      sub--;
    }
    m.thresholdBits = (m.bucket << 16) | sub;
    m.equalQuota = m.keep - greater;
    m.thresholdKnown = true;
    m.low = null;
  }

  /**
   * Zeroes the entries below the threshold, and the entries equal to it once {@code equalQuota} of
   * them (lowest index first, across blocks) were kept. Until the quota is spent a block keeps its
   * equal entries and counts them in the same loop; only the block where the quota runs out visits
   * them again in index order. After that every block is a plain comparison.
   */
  private void magnitudeMask(Model m, float[] d, int len, boolean laneOrder) {
    int[] raw = bits(d, len);
    int threshold = m.thresholdBits;
    if (m.equalSeen >= m.equalQuota) {
      keepAbove(raw, len, threshold);
      copy(raw, d, 0, len);
      return;
    }
    int limit = threshold - 1;
    int equal = 0;
    for (int j = 0; j < len; j++) {
      int r = raw[j];
      int magnitude = r & 0x7FFFFFFF;
      equal += ((magnitude ^ threshold) - 1) >>> 31;
      raw[j] = r & ((limit - magnitude) >> 31);
    }
    if (m.equalSeen + equal <= m.equalQuota) {
      copy(raw, d, 0, len);
    } else {
      long seen = m.equalSeen;
      for (int index = 0; index < len; index++) {
        int j = laneOrder ? lanePosition(index, len) : index;
        int magnitude = Float.floatToRawIntBits(d[j]) & 0x7FFFFFFF;
        boolean keep = magnitude > threshold || (magnitude == threshold && seen++ < m.equalQuota);
        d[j] = keep ? d[j] : 0f;
      }
    }
    m.equalSeen += equal;
  }

  /** Keeps the raw bits whose magnitude exceeds {@code limit}, zeroes the others. */
  private static void keepAbove(int[] raw, int len, int limit) {
    for (int j = 0; j < len; j++) {
      int r = raw[j];
      raw[j] = r & ((limit - (r & 0x7FFFFFFF)) >> 31);
    }
  }

  /**
   * The raw bits of {@code d[0..len)}, in a scratch array (a bulk copy, not a per-element move).
   */
  private int[] bits(float[] d, int len) {
    return bits(d, 0, len);
  }

  /** The raw bits of {@code d[from..from+len)} at the start of a scratch array. */
  private int[] bits(float[] d, int from, int len) {
    if (scratch.bits.length < len) {
      scratch.bits = new int[len];
    }
    MemorySegment.copy(
        scratch.segments.of(d), 4L * from, scratch.segments.of(scratch.bits), 0, 4L * len);
    return scratch.bits;
  }

  /** Which element of a block of {@code len} sits at {@code position} in lane order. */
  private static int laneOffset(int position, int len) {
    int half = len / 2;
    if (position >= 2 * half) {
      return position;
    }
    return position < half ? 2 * position : 2 * (position - half) + 1;
  }

  /** Where element {@code index} of a block of {@code len} sits in lane order. */
  private static int lanePosition(int index, int len) {
    int half = len / 2;
    if (index >= 2 * half) {
      return index;
    }
    return (index & 1) == 0 ? index >>> 1 : half + (index >>> 1);
  }
}
