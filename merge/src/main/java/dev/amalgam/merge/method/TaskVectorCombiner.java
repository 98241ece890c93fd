package dev.amalgam.merge.method;

import dev.amalgam.merge.checkpoint.HeapSegments;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Steps 3 to 6 of the task-arithmetic family (see {@link TaskArithmeticMethod}) over blocks of
 * elements, models in the outer loop so the inner loops run over plain arrays. Per element the
 * arithmetic is exactly the f64 formula of that class comment, with models summed in recipe order,
 * so blocking changes no bit of the result. Holds scratch arrays: one instance per thread.
 */
final class TaskVectorCombiner {
  private final double[] weight;
  private final boolean consensus;
  private final boolean normalize;
  private final double lambda;
  private final double linearDivisor;
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
  // The calling thread's scratch, taken at the start of each combine.
  private Scratch scratch;

  /**
   * One set per thread, not per combiner (a merge makes one per tensor). In the consensus, doubles
   * and their bits move between these arrays by bulk copies, so every loop is plain double or plain
   * long arithmetic, which the JIT vectorizes; converting between a double and its bits inside a
   * loop would keep it scalar.
   */
  private static final class Scratch {
    final double[] sum = new double[BLOCK];
    final double[] mix = new double[BLOCK];
    final double[] divisor = new double[BLOCK];
    final double[] values = new double[BLOCK];
    final double[] weights = new double[BLOCK];
    final long[] bits = new long[BLOCK];
    final long[] weightBits = new long[BLOCK];
    final long[] sumNegative = new long[BLOCK];
    final HeapSegments segments = new HeapSegments();
  }

  TaskVectorCombiner(
      double[] weight, boolean consensus, boolean normalize, double lambda, double linearDivisor) {
    this.weight = weight;
    this.consensus = consensus;
    this.normalize = normalize;
    this.lambda = lambda;
    this.linearDivisor = linearDivisor;
  }

  private static final int BLOCK = 2048;
  private static final long ONE_BITS = Double.doubleToRawLongBits(1.0);

  void combine(float[] base, float[][] kept, boolean rawDeltas, int n, float[] out) {
    if (rawDeltas && !consensus && kept.length <= 3) {
      linearOfDeltas(base, kept, n, out);
      return;
    }
    scratch = SCRATCH.get();
    double[] sum = scratch.sum;
    double[] mix = consensus ? scratch.mix : sum;
    double[] divisor = scratch.divisor;
    double[] values = scratch.values;
    long[] bits = scratch.bits;
    long[] sumNegative = scratch.sumNegative;
    for (int start = 0; start < n; start += BLOCK) {
      int len = Math.min(BLOCK, n - start);
      Arrays.fill(sum, 0, len, 0.0);
      for (int i = 0; i < kept.length; i++) {
        accumulate(sum, weight[i], kept[i], rawDeltas ? base : null, start, len);
      }
      if (consensus) {
        Arrays.fill(mix, 0, len, 0.0);
        Arrays.fill(divisor, 0, len, 0.0);
        if (signsOfFiniteSums(len)) {
          for (int i = 0; i < kept.length; i++) {
            agreeingFinite(weight[i], kept[i], rawDeltas ? base : null, start, len);
          }
        } else {
          copy(sum, bits, len);
          for (int j = 0; j < len; j++) {
            long b = bits[j];
            sumNegative[j] = (b >>> 63) & nonZeroNumber(b);
          }
          for (int i = 0; i < kept.length; i++) {
            agreeing(weight[i], kept[i], rawDeltas ? base : null, start, len);
          }
        }
      }
      if (normalize && consensus) {
        // A zero divisor (nothing agreed) becomes 1: +1.0 is added only to ±0, +0.0 otherwise.
        copy(divisor, bits, len);
        for (int j = 0; j < len; j++) {
          bits[j] = ONE_BITS & -(((bits[j] & Long.MAX_VALUE) - 1) >>> 63);
        }
        copy(bits, values, len);
        for (int j = 0; j < len; j++) {
          double d = divisor[j] + values[j];
          out[start + j] = (float) (base[start + j] + lambda * (mix[j] / d));
        }
      } else if (normalize) {
        for (int j = 0; j < len; j++) {
          out[start + j] = (float) (base[start + j] + lambda * (mix[j] / linearDivisor));
        }
      } else {
        for (int j = 0; j < len; j++) {
          out[start + j] = (float) (base[start + j] + lambda * mix[j]);
        }
      }
    }
  }

  /**
   * Task arithmetic of up to three models in one fused loop: per element the same f64 sum from +0.0
   * in model order and the same final expression as the blocked path.
   */
  private void linearOfDeltas(float[] base, float[][] x, int n, float[] out) {
    double w0 = weight[0];
    double w1 = x.length > 1 ? weight[1] : 0;
    double w2 = x.length > 2 ? weight[2] : 0;
    double divisor = normalize ? linearDivisor : 1;
    double l = lambda;
    float[] x0 = x[0];
    switch (x.length) {
      case 1 -> {
        for (int j = 0; j < n; j++) {
          float b = base[j];
          double mix = 0.0 + w0 * (x0[j] - b);
          out[j] = (float) (b + l * (mix / divisor));
        }
      }
      case 2 -> {
        float[] x1 = x[1];
        for (int j = 0; j < n; j++) {
          float b = base[j];
          double mix = 0.0 + w0 * (x0[j] - b) + w1 * (x1[j] - b);
          out[j] = (float) (b + l * (mix / divisor));
        }
      }
      default -> {
        float[] x1 = x[1];
        float[] x2 = x[2];
        for (int j = 0; j < n; j++) {
          float b = base[j];
          double mix = 0.0 + w0 * (x0[j] - b) + w1 * (x1[j] - b) + w2 * (x2[j] - b);
          out[j] = (float) (b + l * (mix / divisor));
        }
      }
    }
  }

  /** sum[j] += w·d[start+j], where d is {@code k} itself or {@code k − base} when base is given. */
  private static void accumulate(
      double[] sum, double w, float[] k, float[] base, int start, int len) {
    if (base == null) {
      for (int j = 0; j < len; j++) {
        sum[j] += w * k[start + j];
      }
    } else {
      for (int j = 0; j < len; j++) {
        sum[j] += w * (k[start + j] - base[start + j]);
      }
    }
  }

  /**
   * When every sum of the block is finite, puts its sign as ±1.0 in {@code values} (+1 for zero; a
   * sum that starts at +0.0 is never −0.0) and returns true. A finite sum means every w·d of the
   * block is finite, which {@link #agreeingFinite} relies on.
   */
  private boolean signsOfFiniteSums(int len) {
    long[] bits = scratch.bits;
    copy(scratch.sum, bits, len);
    long exponentCarry = 0;
    for (int j = 0; j < len; j++) {
      long b = bits[j];
      // An all-ones exponent (infinity or NaN) carries into the sign bit.
      exponentCarry |= (b & EXPONENT_BITS) + LOWEST_EXPONENT_BIT;
      bits[j] = ONE_BITS | (b & Long.MIN_VALUE);
    }
    if (exponentCarry < 0) {
      return false;
    }
    copy(bits, scratch.values, len);
    return true;
  }

  /**
   * {@link #agreeing} for a block whose w·d are all finite, in one loop of double arithmetic that
   * the JIT vectorizes: with s = ±1.0 the sign of the total, v agrees exactly when v·s > 0, and
   * scaling v·s by 2^2000 and clamping to [0, 1] turns that test into 1.0 or 0.0 (the smallest
   * positive double times 2^2000 still exceeds 1). v·1.0 and w·1.0 are v and w; a disagreeing model
   * adds ±0.0, which changes no sum that is not −0.0. Bit for bit the same as {@link #agreeing}.
   */
  private void agreeingFinite(double w, float[] k, float[] base, int start, int len) {
    double[] sign = scratch.values;
    double[] mix = scratch.mix;
    double[] divisor = scratch.divisor;
    if (base == null) {
      for (int j = 0; j < len; j++) {
        double v = w * k[start + j];
        double agree = Math.max(Math.min(v * sign[j] * SCALE * SCALE, 1.0), 0.0);
        mix[j] += v * agree;
        divisor[j] += w * agree;
      }
    } else {
      for (int j = 0; j < len; j++) {
        double v = w * (k[start + j] - base[start + j]);
        double agree = Math.max(Math.min(v * sign[j] * SCALE * SCALE, 1.0), 0.0);
        mix[j] += v * agree;
        divisor[j] += w * agree;
      }
    }
  }

  /**
   * TIES disjoint merge of one model: adds v = w·d and w where v's strict sign equals the sign of
   * the total (zero or NaN total counts as positive; {@code sumNegative} is 1 where it is
   * negative). Agreement is decided on the IEEE bits with masks, since it is as unpredictable as
   * the data; a disagreeing model adds +0.0, which changes nothing because the running sums start
   * at +0.0 and can never become −0.0.
   */
  private void agreeing(double w, float[] k, float[] base, int start, int len) {
    double[] values = scratch.values;
    long[] bits = scratch.bits;
    long[] weightBits = scratch.weightBits;
    long[] sumNegative = scratch.sumNegative;
    double[] mix = scratch.mix;
    double[] divisor = scratch.divisor;
    double[] weights = scratch.weights;
    if (base == null) {
      for (int j = 0; j < len; j++) {
        values[j] = w * k[start + j];
      }
    } else {
      for (int j = 0; j < len; j++) {
        values[j] = w * (k[start + j] - base[start + j]);
      }
    }
    copy(values, bits, len);
    long wBits = Double.doubleToRawLongBits(w);
    for (int j = 0; j < len; j++) {
      long b = bits[j];
      long agree = -(nonZeroNumber(b) & (1 ^ ((b >>> 63) ^ sumNegative[j])));
      bits[j] = b & agree;
      weightBits[j] = wBits & agree;
    }
    copy(bits, values, len);
    copy(weightBits, weights, len);
    for (int j = 0; j < len; j++) {
      mix[j] += values[j];
      divisor[j] += weights[j];
    }
  }

  /** 1 when the bits are a number with |x| in (0, ∞] (not ±0, not NaN), else 0. */
  private static long nonZeroNumber(long bits) {
    long magnitudeLessOne = (bits & Long.MAX_VALUE) - 1;
    return ((magnitudeLessOne >>> 63) ^ 1) & ((magnitudeLessOne - INFINITY_BITS) >>> 63);
  }

  private void copy(double[] from, long[] to, int len) {
    HeapSegments segments = scratch.segments;
    MemorySegment.copy(segments.of(from), 0, segments.of(to), 0, 8L * len);
  }

  private void copy(long[] from, double[] to, int len) {
    HeapSegments segments = scratch.segments;
    MemorySegment.copy(segments.of(from), 0, segments.of(to), 0, 8L * len);
  }

  private static final long INFINITY_BITS = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
  private static final long EXPONENT_BITS = INFINITY_BITS;
  private static final long LOWEST_EXPONENT_BIT = 1L << 52;
  private static final double SCALE = 0x1p1000;
}
