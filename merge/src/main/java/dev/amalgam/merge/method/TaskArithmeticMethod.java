package dev.amalgam.merge.method;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The task-arithmetic family (task_arithmetic, ties, dare_ties, dare_linear, breadcrumbs,
 * breadcrumbs_ties, della, della_linear). Per tensor, with d_i = x_i − b:
 *
 * <ol>
 *   <li>sparsify each d_i ({@link Sparsifier}); if {@code rescale} is true multiply the kept tensor
 *       once by ‖d_i‖₁ / ‖kept_i‖₁ (skipped when either is below 1e-7); {@code rescale:
 *       elementwise} divides each kept entry by its own keep probability;
 *   <li>without consensus: mix = Σ w_i·d_i, divisor = Σ w_i (1 when |Σ w_i| &lt; 1e-8);
 *   <li>with TIES consensus: s = sign(Σ w_i·d_i) (0 counts as +), m_i = [sign(w_i·d_i) = s] (zero
 *       entries never agree), mix = Σ m_i·w_i·d_i, divisor = Σ m_i·w_i per element (1 where 0);
 *   <li>if {@code normalize}: mix /= divisor; out = b + λ·mix.
 * </ol>
 *
 * Deltas and weights are fp32 (rounded to float, as mergekit holds them in tensors); the
 * per-element combination runs in f64 with models summed in recipe order and is rounded to fp32
 * once. {@code int8_mask} is accepted for mergekit compatibility and has no effect: masks are never
 * stored.
 */
final class TaskArithmeticMethod extends AbstractMergeMethod {
  private final Sparsifier sparsifier;
  private final boolean consensus;

  TaskArithmeticMethod(
      String name,
      Sparsifier sparsifier,
      boolean consensus,
      boolean normalizeDefault,
      boolean rescaleDefault) {
    super(name, true, specs(sparsifier, normalizeDefault, rescaleDefault));
    this.sparsifier = sparsifier;
    this.consensus = consensus;
  }

  private static List<ParameterSpec> specs(
      Sparsifier sparsifier, boolean normalizeDefault, boolean rescaleDefault) {
    List<ParameterSpec> specs = new ArrayList<>();
    specs.add(ParameterSpec.requiredPerModel("weight"));
    // task_arithmetic accepts density like mergekit does, so such recipes run; it never sparsifies.
    specs.add(ParameterSpec.perModel("density", 1.0));
    if (sparsifier == Sparsifier.OUTLIERS) {
      specs.add(ParameterSpec.perModel("gamma", 0.01));
    }
    if (sparsifier == Sparsifier.DELLA) {
      specs.add(ParameterSpec.perModel("epsilon", 0.15));
    }
    specs.add(ParameterSpec.global("normalize", ParameterSpec.Kind.BOOLEAN, normalizeDefault));
    specs.add(ParameterSpec.global("rescale", ParameterSpec.Kind.RESCALE, rescaleDefault));
    specs.add(ParameterSpec.global("lambda", ParameterSpec.Kind.NUMBER, 1.0));
    specs.add(ParameterSpec.global("int8_mask", ParameterSpec.Kind.BOOLEAN, false));
    return specs;
  }

  @Override
  public boolean elementwise() {
    return sparsifier == Sparsifier.NONE;
  }

  @Override
  float[] compute(MergeInput in, ResolvedParameters p) {
    float[] base = in.base();
    int n = base.length;
    int models = in.models().size();
    // Without a sparsifier the deltas are x_i − b, computed on the fly; otherwise each model's
    // delta is a fresh array, and the first one is overwritten with the output block by block.
    boolean rawDeltas = sparsifier == Sparsifier.NONE;
    float[][] kept = new float[models][];
    for (int i = 0; i < models; i++) {
      kept[i] = rawDeltas ? in.models().get(i) : sparsifiedDelta(in, p, i);
    }
    float[] out = rawDeltas ? new float[n] : kept[0];
    combiner(p, models).combine(base, kept, rawDeltas, n, out);
    return out;
  }

  @Override
  ElementwiseKernel kernel(String tensorName, ResolvedParameters p, int models) {
    Combiner combiner = combiner(p, models);
    return (base, x, len, out) -> combiner.combine(base, x, true, len, out);
  }

  private Combiner combiner(ResolvedParameters p, int models) {
    double[] weight = new double[models];
    for (int i = 0; i < models; i++) {
      weight[i] = (float) p.number("weight", i);
    }
    double weightSum = 0;
    for (double w : weight) {
      weightSum += w;
    }
    return new Combiner(
        weight,
        consensus,
        p.bool("normalize"),
        p.number("lambda"),
        Math.abs(weightSum) < 1e-8 ? 1 : weightSum);
  }

  /**
   * Step 3 and 4 over blocks of elements, models in the outer loop so the inner loops run over
   * plain arrays. Per element the arithmetic is exactly the f64 formula in the class comment, with
   * models summed in recipe order, so blocking changes no bit of the result.
   */
  private record Combiner(
      double[] weight, boolean consensus, boolean normalize, double lambda, double linearDivisor) {
    private static final int BLOCK = 2048;
    private static final long ONE_BITS = Double.doubleToRawLongBits(1.0);

    void combine(float[] base, float[][] kept, boolean rawDeltas, int n, float[] out) {
      if (rawDeltas && !consensus && kept.length <= 3) {
        linearOfDeltas(base, kept, n, out);
        return;
      }
      double[] sum = new double[BLOCK];
      double[] mix = consensus ? new double[BLOCK] : sum;
      double[] divisor = consensus ? new double[BLOCK] : null;
      for (int start = 0; start < n; start += BLOCK) {
        int len = Math.min(BLOCK, n - start);
        Arrays.fill(sum, 0, len, 0.0);
        for (int i = 0; i < kept.length; i++) {
          accumulate(sum, weight[i], kept[i], rawDeltas ? base : null, start, len);
        }
        if (consensus) {
          Arrays.fill(mix, 0, len, 0.0);
          Arrays.fill(divisor, 0, len, 0.0);
          for (int i = 0; i < kept.length; i++) {
            agreeing(sum, mix, divisor, weight[i], kept[i], rawDeltas ? base : null, start, len);
          }
        }
        if (normalize && consensus) {
          for (int j = 0; j < len; j++) {
            // A zero divisor (nothing agreed) becomes 1: +1.0 is added only to ±0, +0.0 otherwise.
            long zero = ((Double.doubleToRawLongBits(divisor[j]) & Long.MAX_VALUE) - 1) >> 63;
            double d = divisor[j] + Double.longBitsToDouble(ONE_BITS & zero);
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
     * Task arithmetic of up to three models in one fused loop: per element the same f64 sum from
     * +0.0 in model order and the same final expression as the blocked path.
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

    /**
     * sum[j] += w·d[start+j], where d is {@code k} itself or {@code k − base} when base is given.
     */
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
     * TIES disjoint merge: adds v = w·d and w where v's strict sign equals the sign of the total
     * (zero or NaN total counts as positive). Agreement is decided on the IEEE bits with masks,
     * since it is as unpredictable as the data; a disagreeing model adds +0.0, which changes
     * nothing because the running sums start at +0.0 and can never become −0.0.
     */
    private static void agreeing(
        double[] sum,
        double[] mix,
        double[] divisor,
        double w,
        float[] k,
        float[] base,
        int start,
        int len) {
      long wBits = Double.doubleToRawLongBits(w);
      for (int j = 0; j < len; j++) {
        float d = base == null ? k[start + j] : k[start + j] - base[start + j];
        double v = w * d;
        long vBits = Double.doubleToRawLongBits(v);
        long sumNegative = negativeMask(Double.doubleToRawLongBits(sum[j]));
        long vNonZero = nonZeroNumberMask(vBits);
        long vNegative = vBits >> 63;
        long agree = vNonZero & ~(vNegative ^ sumNegative);
        mix[j] += Double.longBitsToDouble(vBits & agree);
        divisor[j] += Double.longBitsToDouble(wBits & agree);
      }
    }

    /** All ones when the bits are a number below zero ({@code x < 0}), else zero. */
    private static long negativeMask(long bits) {
      return (bits >> 63) & nonZeroNumberMask(bits);
    }

    /** All ones when |x| is in (0, ∞] (not ±0, not NaN), else zero. */
    private static long nonZeroNumberMask(long bits) {
      long magnitudeLessOne = (bits & Long.MAX_VALUE) - 1;
      return ~(magnitudeLessOne >> 63) & ((magnitudeLessOne - INFINITY_BITS) >> 63);
    }

    private static final long INFINITY_BITS = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
  }

  /** Step 1 and 2: d_i = x_i − b, sparsified and rescaled (a fresh array). */
  private float[] sparsifiedDelta(MergeInput in, ResolvedParameters p, int i) {
    double density = p.number("density", i);
    if (!(density > 0 && density <= 1)) {
      throw error(in, "density " + density + " of model " + i + " must be in (0, 1]");
    }
    double gamma = sparsifier == Sparsifier.OUTLIERS ? p.number("gamma", i) : 0;
    double eps = sparsifier == Sparsifier.DELLA ? p.number("epsilon", i) : 0;
    Object rescale = p.raw("rescale");
    boolean elementwise = "elementwise".equals(rescale);
    boolean l1Rescale = Boolean.TRUE.equals(rescale);
    float[] x = in.models().get(i);
    float[] b = in.base();
    float[] delta = new float[x.length];
    // The L1 norm before sparsifying is summed in index order in the same pass as the subtraction.
    double l1Before = 0;
    if (l1Rescale) {
      for (int e = 0; e < delta.length; e++) {
        float d = x[e] - b[e];
        delta[e] = d;
        l1Before += Math.abs((double) d);
      }
    } else {
      for (int e = 0; e < delta.length; e++) {
        delta[e] = x[e] - b[e];
      }
    }
    Sparsifier.Kept k = sparsifier.apply(in, i, delta, density, gamma, eps, elementwise);
    if (k.changed() && elementwise) {
      for (int e = 0; e < delta.length; e++) {
        delta[e] = (float) (delta[e] / (double) (float) k.probability(e));
      }
    } else if (k.changed() && l1Rescale) {
      double l1After = Double.isNaN(k.l1()) ? VectorMath.l1(delta) : k.l1();
      if (l1Before >= 1e-7 && l1After >= 1e-7) {
        double factor = l1Before / l1After;
        for (int e = 0; e < delta.length; e++) {
          delta[e] = (float) (delta[e] * factor);
        }
      }
    }
    return delta;
  }
}
