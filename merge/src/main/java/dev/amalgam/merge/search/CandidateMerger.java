package dev.amalgam.merge.search;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.DTypeCodec;
import dev.amalgam.merge.engine.MergePlan;
import dev.amalgam.merge.engine.PlannedTensor;
import dev.amalgam.merge.engine.TensorSource;
import dev.amalgam.merge.method.MergeInput;
import dev.amalgam.merge.method.MergeMethod;
import dev.amalgam.merge.method.ParameterSpec;
import dev.amalgam.merge.method.ResolvedParameters;
import dev.amalgam.merge.recipe.ParameterResolver;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.runtime.CheckpointWeights;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderModel;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Merges candidate recipes in memory, straight into a {@link DecoderModel}'s parameters. The inputs
 * are read once (as fp32, rounded to the recipe's {@code dtype} like the executor does); each
 * candidate's tensors are produced by the recipe's own merge method with parameters resolved from
 * the candidate recipe, rounded to the dtype {@code amalgam merge} would save, and set into the
 * model. A tensor whose resolved parameters equal those of the previous candidate is left as it is.
 */
public final class CandidateMerger implements AutoCloseable {
  private final Recipe template;
  private final MergePlan plan;
  private final Map<TensorSource, float[]> inputs = new HashMap<>();
  private final Map<String, Checkpoint> checkpoints;
  private final DecoderModel model;
  private final Map<String, List<Object>> lastKeys = new HashMap<>();

  private CandidateMerger(
      Recipe template, MergePlan plan, Map<String, Checkpoint> checkpoints, DecoderModel model) {
    this.template = template;
    this.plan = plan;
    this.checkpoints = checkpoints;
    this.model = model;
  }

  /**
   * Plans the template recipe against the checkpoints (which must stay open while this merger is
   * used), loads every input tensor and builds the runtime model from the reference model.
   *
   * @throws IllegalArgumentException when the inputs cannot be merged in memory as planned
   */
  public static CandidateMerger open(Recipe template, Map<String, Checkpoint> checkpoints)
      throws CheckpointException {
    MergePlan plan = MergePlan.build(template, checkpoints);
    for (PlannedTensor t : plan.tensors()) {
      if (t.reindexed()) {
        throw new IllegalArgumentException(
            "the models have different vocabularies (tensor "
                + t.name()
                + "); layer-wise search needs models with one tokenizer");
      }
    }
    Checkpoint reference = checkpoints.get(plan.referenceModel());
    DecoderModel model =
        DecoderModel.load(DecoderCheckpoints.config(reference), new CheckpointWeights(reference));
    CandidateMerger merger = new CandidateMerger(template, plan, checkpoints, model);
    try {
      merger.checkTensorsMatchModel();
      merger.loadInputs();
      return merger;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private void checkTensorsMatchModel() {
    Set<String> planned = new TreeSet<>();
    plan.tensors().forEach(t -> planned.add(t.name()));
    Set<String> needed = new TreeSet<>(model.names());
    if (!planned.containsAll(needed)) {
      needed.removeAll(planned);
      throw new IllegalArgumentException(
          "the merge does not produce the runtime's tensors " + needed);
    }
  }

  private void loadInputs() {
    DType compute = template.dtype() == null ? null : DType.parse(template.dtype());
    for (PlannedTensor t : plan.tensors()) {
      List<TensorSource> sources = new ArrayList<>(t.models());
      if (t.base() != null) {
        sources.add(t.base());
      }
      for (TensorSource s : sources) {
        inputs.computeIfAbsent(
            s, k -> roundThrough(compute, checkpoints.get(k.model()).readFloats(k.tensor())));
      }
    }
  }

  /** The runtime model that candidates are merged into. */
  public DecoderModel model() {
    return model;
  }

  /** The merge plan of the template (tensor names, layers, sources). */
  public MergePlan plan() {
    return plan;
  }

  /** Names of the planned tensors outside the layers (embeddings, final norm, lm_head). */
  public List<String> outsideTensors() {
    return plan.tensors().stream()
        .filter(t -> t.layerIndex() == null)
        .map(PlannedTensor::name)
        .toList();
  }

  /**
   * Merges a candidate recipe (the template with other parameter values) into the model.
   *
   * @return how many tensors were merged; the others kept their values from the previous call
   */
  public int apply(Recipe candidate) {
    MergeMethod method = candidate.method();
    ParameterResolver resolver = candidate.resolver(0);
    int merged = 0;
    for (PlannedTensor t : plan.tensors()) {
      if (!model.names().contains(t.name())) {
        continue;
      }
      List<Object> key = key(method, resolver, t);
      if (key.equals(lastKeys.get(t.name()))) {
        continue;
      }
      model.setWeight(t.name(), produce(candidate, resolver, t));
      lastKeys.put(t.name(), key);
      merged++;
    }
    return merged;
  }

  /** The merged values of one tensor for a candidate, exactly as {@link #apply} sets them. */
  public float[] produce(Recipe candidate, ParameterResolver resolver, PlannedTensor t) {
    if (!t.merged()) {
      TensorSource from = t.base() != null ? t.base() : t.models().get(0);
      return inputs.get(from).clone();
    }
    ResolvedParameters params =
        resolver.resolveFor(
            candidate.method(), t.inputIndices(), t.name(), t.layerIndex(), t.layersInSlice());
    List<float[]> models = new ArrayList<>();
    for (TensorSource s : t.models()) {
      models.add(inputs.get(s));
    }
    float[] base = t.base() == null ? null : inputs.get(t.base());
    float[] out =
        candidate
            .method()
            .merge(
                new MergeInput(
                    t.name(), t.output().shape(), base, models, params, candidate.seed()));
    return roundThrough(t.output().dtype(), out);
  }

  /** Sets every parameter to one input model's own tensors (to score the base or an expert). */
  public void useInput(String modelReference) {
    Checkpoint checkpoint = checkpoints.get(modelReference);
    if (checkpoint == null) {
      throw new IllegalArgumentException("no input model '" + modelReference + "'");
    }
    for (String name : model.names()) {
      TensorSource source = new TensorSource(modelReference, name);
      float[] values = inputs.get(source);
      model.setWeight(name, values != null ? values.clone() : checkpoint.readFloats(name));
    }
    lastKeys.clear();
  }

  /**
   * The resolved values of every parameter the method declares for one tensor: equal keys give
   * equal tensors (random masks depend only on the seed, model index and tensor name).
   */
  private static List<Object> key(MergeMethod method, ParameterResolver resolver, PlannedTensor t) {
    List<Object> key = new ArrayList<>();
    for (ParameterSpec spec : method.parameters()) {
      if (spec.perModel()) {
        for (int i : t.inputIndices()) {
          key.add(
              resolver
                  .resolve(spec.name(), i, t.name(), t.layerIndex(), t.layersInSlice())
                  .orElse(null));
        }
      } else {
        key.add(
            resolver
                .resolve(spec.name(), -1, t.name(), t.layerIndex(), t.layersInSlice())
                .orElse(null));
      }
    }
    return key;
  }

  /** The values as they read back after being stored as {@code dtype} (unchanged for F32/null). */
  static float[] roundThrough(DType dtype, float[] values) {
    if (dtype == null || dtype == DType.F32 || !DTypeCodec.canEncode(dtype)) {
      return values;
    }
    byte[] encoded = DTypeCodec.encode(dtype, values);
    DTypeCodec.decode(dtype, MemorySegment.ofArray(encoded), 0, values, 0, values.length);
    return values;
  }

  @Override
  public void close() {
    model.close();
  }
}
