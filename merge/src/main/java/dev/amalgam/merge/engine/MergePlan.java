package dev.amalgam.merge.engine;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.DTypeCodec;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.method.MergeException;
import dev.amalgam.merge.method.MergeMethod;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeException;
import dev.amalgam.merge.recipe.RecipeSlice;
import dev.amalgam.merge.recipe.RecipeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which output tensors a recipe produces and from which input tensors, checked against the actual
 * checkpoints before anything is written. A {@code models:} recipe produces every tensor of the
 * reference model (the base, else the first model). With {@code slices:} the output layers are
 * numbered consecutively across slices; embeddings come from the first slice and every other tensor
 * outside the layers (final norm, lm_head) from the last.
 */
public final class MergePlan {
  private final String referenceModel;
  private final List<PlannedTensor> tensors;
  private final Optional<HfConfig> config;
  private final List<String> warnings;
  private final Optional<VocabularyPlan> vocabulary;

  private MergePlan(
      String referenceModel,
      List<PlannedTensor> tensors,
      Optional<HfConfig> config,
      List<String> warnings,
      Optional<VocabularyPlan> vocabulary) {
    this.referenceModel = referenceModel;
    this.tensors = List.copyOf(tensors);
    this.config = config;
    this.warnings = List.copyOf(warnings);
    this.vocabulary = vocabulary;
  }

  /** The vocabulary re-indexing, present only when the inputs' vocabularies differ. */
  Optional<VocabularyPlan> vocabulary() {
    return vocabulary;
  }

  /** The model whose config, tensor names and side files the output follows. */
  public String referenceModel() {
    return referenceModel;
  }

  /** Output tensors sorted by name. */
  public List<PlannedTensor> tensors() {
    return tensors;
  }

  /** The output config.json (the reference's, with num_hidden_layers adjusted for slices). */
  public Optional<HfConfig> config() {
    return config;
  }

  /** Things the user should know that do not stop the merge (tensors left out and why). */
  public List<String> warnings() {
    return warnings;
  }

  public List<TensorInfo> outputInfos() {
    return tensors.stream().map(PlannedTensor::output).toList();
  }

  public long outputBytes() {
    return tensors.stream().mapToLong(t -> t.output().byteLength()).sum();
  }

  /**
   * Plans the merge.
   *
   * @param inputs every model reference of the recipe mapped to its opened checkpoint
   */
  public static MergePlan build(Recipe recipe, Map<String, Checkpoint> inputs) {
    return new Builder(recipe, inputs).build();
  }

  private static final class Builder {
    private final Recipe recipe;
    private final MergeMethod method;
    private final Map<String, Checkpoint> inputs;
    private final Map<String, PlannedTensor> planned = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final DType savedDtype;
    private final String reference;
    private Optional<VocabularyPlan> vocabulary = Optional.empty();

    Builder(Recipe recipe, Map<String, Checkpoint> inputs) {
      this.recipe = recipe;
      this.method = recipe.method();
      this.inputs = inputs;
      for (String model : recipe.referencedModels()) {
        if (!inputs.containsKey(model)) {
          throw new IllegalArgumentException(
              recipe.sourceName() + ": no checkpoint was given for model '" + model + "'");
        }
      }
      this.savedDtype = recipe.savedDtype() == null ? null : DType.parse(recipe.savedDtype());
      this.reference =
          recipe.baseModel() != null
              ? recipe.baseModel()
              : recipe.slices().get(0).sources().get(0).model();
    }

    MergePlan build() {
      checkFamilies();
      vocabulary = VocabularyPlan.build(recipe, inputs, reference);
      Optional<HfConfig> config = inputs.get(reference).config();
      if (vocabulary.isPresent()) {
        int rows = vocabulary.get().rows();
        config = config.map(c -> c.with("vocab_size", rows));
      }
      if (recipe.explicitSlices()) {
        int layers = planSlices();
        config = config.map(c -> c.with("num_hidden_layers", layers));
      } else {
        planWholeModels();
      }
      return new MergePlan(reference, List.copyOf(planned.values()), config, warnings, vocabulary);
    }

    private void checkFamilies() {
      Optional<HfConfig> ref = inputs.get(reference).config();
      if (ref.isEmpty()) {
        return;
      }
      for (String model : recipe.referencedModels()) {
        Optional<HfConfig> other = inputs.get(model).config();
        if (other.isEmpty()) {
          continue;
        }
        boolean sameType = other.get().modelType().equals(ref.get().modelType());
        boolean sameWidth = other.get().hiddenSize() == ref.get().hiddenSize();
        boolean sameDepth =
            recipe.explicitSlices() || other.get().numHiddenLayers() == ref.get().numHiddenLayers();
        if (!sameType || !sameWidth || !sameDepth) {
          throw new MergeException(
              "not weight-mergeable: '"
                  + reference
                  + "' is "
                  + describe(ref.get())
                  + " but '"
                  + model
                  + "' is "
                  + describe(other.get())
                  + "; use fusion for models of different families");
        }
      }
    }

    private static String describe(HfConfig c) {
      return c.modelType() + " (" + c.numHiddenLayers() + " layers, hidden " + c.hiddenSize() + ")";
    }

    private void planWholeModels() {
      RecipeSlice slice = recipe.slices().get(0);
      Checkpoint ref = inputs.get(reference);
      int layers = layerCount(ref);
      List<Integer> indices = slice.inputIndices(method);
      for (String name : ref.tensorNames()) {
        List<TensorSource> models = new ArrayList<>();
        for (int i : indices) {
          models.add(new TensorSource(slice.sources().get(i).model(), name));
        }
        TensorSource base = baseSource(slice, name);
        add(name, 0, LayerNames.layerOf(name), layers, indices, models, base);
      }
      for (String model : recipe.referencedModels()) {
        for (String name : inputs.get(model).tensorNames()) {
          if (!ref.contains(name)) {
            warnings.add(
                "tensor "
                    + name
                    + " of '"
                    + model
                    + "' is not in '"
                    + reference
                    + "' and was left out of the output");
          }
        }
      }
    }

    private TensorSource baseSource(RecipeSlice slice, String name) {
      return method.usesBase() && slice.baseModel() != null
          ? new TensorSource(slice.baseModel(), name)
          : null;
    }

    private int planSlices() {
      List<RecipeSlice> slices = recipe.slices();
      int offset = 0;
      for (int s = 0; s < slices.size(); s++) {
        RecipeSlice slice = slices.get(s);
        for (RecipeSource src : slice.sources()) {
          int available = layerCount(inputs.get(src.model()));
          if (src.layerRange().end() > available) {
            throw new RecipeException(
                recipe.sourceName(),
                src.line(),
                "layer_range ["
                    + src.layerRange().start()
                    + ", "
                    + src.layerRange().end()
                    + "] of '"
                    + src.model()
                    + "' goes past its "
                    + available
                    + " layers; end is exclusive, so use at most "
                    + available);
          }
        }
        int count = slice.layerCount();
        RecipeSource primary = primary(slice);
        Checkpoint checkpoint = inputs.get(primary.model());
        List<Integer> indices = slice.inputIndices(method);
        int baseIndex = method.usesBase() ? slice.baseSourceIndex() : -1;
        for (int j = 0; j < count; j++) {
          int sourceLayer = primary.layerRange().start() + j;
          for (String name : checkpoint.tensorNames()) {
            Integer layer = LayerNames.layerOf(name);
            if (layer == null || layer != sourceLayer) {
              continue;
            }
            List<TensorSource> models = new ArrayList<>();
            for (int i : indices) {
              RecipeSource in = slice.sources().get(i);
              models.add(
                  new TensorSource(
                      in.model(), LayerNames.withLayer(name, in.layerRange().start() + j)));
            }
            TensorSource base = null;
            if (baseIndex >= 0) {
              RecipeSource b = slice.sources().get(baseIndex);
              base =
                  new TensorSource(
                      b.model(), LayerNames.withLayer(name, b.layerRange().start() + j));
            }
            add(LayerNames.withLayer(name, offset + j), s, j, count, indices, models, base);
          }
        }
        offset += count;
      }
      planOutsideLayers(0, true);
      planOutsideLayers(slices.size() - 1, false);
      return offset;
    }

    private void planOutsideLayers(int s, boolean beforeLayers) {
      RecipeSlice slice = recipe.slices().get(s);
      Checkpoint checkpoint = inputs.get(primary(slice).model());
      List<Integer> indices = slice.inputIndices(method);
      int baseIndex = method.usesBase() ? slice.baseSourceIndex() : -1;
      for (String name : checkpoint.tensorNames()) {
        if (LayerNames.layerOf(name) != null || LayerNames.beforeLayers(name) != beforeLayers) {
          continue;
        }
        List<TensorSource> models = new ArrayList<>();
        for (int i : indices) {
          models.add(new TensorSource(slice.sources().get(i).model(), name));
        }
        TensorSource base =
            baseIndex >= 0 ? new TensorSource(slice.sources().get(baseIndex).model(), name) : null;
        add(name, s, null, slice.layerCount(), indices, models, base);
      }
    }

    private static RecipeSource primary(RecipeSlice slice) {
      int b = slice.baseSourceIndex();
      return slice.sources().get(b >= 0 ? b : 0);
    }

    private void add(
        String outName,
        int slice,
        Integer layer,
        int layers,
        List<Integer> indices,
        List<TensorSource> models,
        TensorSource base) {
      TensorSource first = base != null ? base : models.get(0);
      TensorInfo firstInfo = infoOf(first, outName);
      List<TensorSource> all = new ArrayList<>(models);
      if (base != null) {
        all.add(base);
      }
      boolean reindexed =
          vocabulary.isPresent()
              && VocabularyPlan.isVocabularyTensor(outName)
              && firstInfo.rank() == 2;
      for (TensorSource s : all) {
        TensorInfo info = infoOf(s, outName);
        boolean sameShape =
            reindexed
                ? info.rank() == 2 && info.dim(1) == firstInfo.dim(1)
                : info.sameShape(firstInfo);
        if (!sameShape) {
          throw new MergeException(
              "tensor "
                  + outName
                  + ": mismatched shapes: '"
                  + first.model()
                  + "' has "
                  + firstInfo.shapeText()
                  + " but '"
                  + s.model()
                  + "' has "
                  + info.shapeText()
                  + (outName.contains("embed") || outName.contains("lm_head")
                      ? "; the models have different vocabularies, which needs a union tokenizer"
                      : "; these models are not weight-mergeable (use fusion)"));
        }
      }
      boolean merged = firstInfo.dtype().isFloatingPoint();
      DType dtype = firstInfo.dtype();
      if (merged) {
        dtype = savedDtype != null ? savedDtype : dtype;
        if (!DTypeCodec.canEncode(dtype)) {
          warnings.add(outName + ": " + dtype + " cannot be written; saved as F32");
          dtype = DType.F32;
        }
      }
      long[] shape = firstInfo.shape();
      if (reindexed) {
        shape[0] = vocabulary.get().rows();
      }
      TensorInfo out = TensorInfo.of(outName, dtype, shape);
      planned.put(
          outName,
          new PlannedTensor(
              out, slice, layer, layers, indices, models, base, merged, reindexed && merged));
    }

    private TensorInfo infoOf(TensorSource s, String outName) {
      return inputs
          .get(s.model())
          .tensor(s.tensor())
          .orElseThrow(
              () ->
                  new MergeException(
                      "tensor "
                          + outName
                          + ": '"
                          + s.model()
                          + "' has no tensor "
                          + s.tensor()
                          + "; every input must have it (not weight-mergeable as is)"));
    }

    private static int layerCount(Checkpoint c) {
      if (c.config().isPresent() && c.config().get().numHiddenLayers() > 0) {
        return c.config().get().numHiddenLayers();
      }
      int max = -1;
      for (String name : c.tensorNames()) {
        Integer layer = LayerNames.layerOf(name);
        if (layer != null) {
          max = Math.max(max, layer);
        }
      }
      return max + 1;
    }
  }
}
