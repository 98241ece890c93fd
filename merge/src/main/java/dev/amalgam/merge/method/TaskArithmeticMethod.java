package dev.amalgam.merge.method;

import java.util.ArrayList;
import java.util.List;

/**
 * The task-arithmetic family (task_arithmetic, ties, dare_ties, dare_linear, breadcrumbs,
 * breadcrumbs_ties, della, della_linear). Per tensor, with d_i = x_i − b:
 *
 * <ol>
 *   <li>sparsify each d_i ({@link Sparsifier}); if {@code rescale} is true multiply the kept tensor
 *       once by ‖d_i‖₁ / ‖kept_i‖₁ (summed as {@link AbsSum} orders it; skipped when either is
 *       below 1e-7); {@code rescale: elementwise} divides each kept entry by its own keep
 *       probability;
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
    TaskVectorCombiner combiner = combiner(p, models);
    return (base, x, len, out) -> combiner.combine(base, x, true, len, out);
  }

  @Override
  boolean hasBlockwiseKernel() {
    return sparsifier == Sparsifier.MAGNITUDE || sparsifier == Sparsifier.RANDOM;
  }

  @Override
  BlockwiseKernel blockwise(
      String tensorName, long[] shape, ResolvedParameters p, int models, long seed) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    double[] density = new double[models];
    for (int i = 0; i < models; i++) {
      density[i] = density(tensorName, p, i);
    }
    Object rescale = p.raw("rescale");
    return new SparsifiedBlocks(
        sparsifier,
        tensorName,
        n,
        density,
        Boolean.TRUE.equals(rescale),
        "elementwise".equals(rescale),
        seed,
        combiner(p, models));
  }

  private double density(String tensorName, ResolvedParameters p, int model) {
    double density = p.number("density", model);
    if (!(density > 0 && density <= 1)) {
      throw new MergeException(
          "tensor "
              + tensorName
              + ": "
              + name()
              + " density "
              + density
              + " of model "
              + model
              + " must be in (0, 1]");
    }
    return density;
  }

  private TaskVectorCombiner combiner(ResolvedParameters p, int models) {
    double[] weight = new double[models];
    for (int i = 0; i < models; i++) {
      weight[i] = (float) p.number("weight", i);
    }
    double weightSum = 0;
    for (double w : weight) {
      weightSum += w;
    }
    return new TaskVectorCombiner(
        weight,
        consensus,
        p.bool("normalize"),
        p.number("lambda"),
        Math.abs(weightSum) < 1e-8 ? 1 : weightSum);
  }

  /** Step 1 and 2: d_i = x_i − b, sparsified and rescaled (a fresh array). */
  private float[] sparsifiedDelta(MergeInput in, ResolvedParameters p, int i) {
    double density = density(in.tensorName(), p, i);
    double gamma = sparsifier == Sparsifier.OUTLIERS ? p.number("gamma", i) : 0;
    double eps = sparsifier == Sparsifier.DELLA ? p.number("epsilon", i) : 0;
    Object rescale = p.raw("rescale");
    boolean elementwise = "elementwise".equals(rescale);
    boolean l1Rescale = Boolean.TRUE.equals(rescale);
    float[] x = in.models().get(i);
    float[] b = in.base();
    float[] delta = new float[x.length];
    for (int e = 0; e < delta.length; e++) {
      delta[e] = x[e] - b[e];
    }
    double l1Before = l1Rescale ? AbsSum.of(delta) : 0;
    Sparsifier.Kept k = sparsifier.apply(in, i, delta, density, gamma, eps, elementwise);
    if (k.changed() && elementwise) {
      for (int e = 0; e < delta.length; e++) {
        delta[e] = (float) (delta[e] / (double) (float) k.probability(e));
      }
    } else if (k.changed() && l1Rescale) {
      double l1After = Double.isNaN(k.l1()) ? AbsSum.of(delta) : k.l1();
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
