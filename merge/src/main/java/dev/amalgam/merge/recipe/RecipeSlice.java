package dev.amalgam.merge.recipe;

import dev.amalgam.merge.method.MergeMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * One output slice. A {@code models:} recipe has exactly one slice whose sources are the models and
 * whose layer ranges are {@code null} (all layers).
 *
 * @param sources the inputs, in recipe order; "model index" everywhere means an index into this
 *     list
 * @param parameters slice-level parameters (empty for a {@code models:} recipe)
 * @param baseModel the slice's base model (its own {@code base_model} or the recipe's), or null
 * @param line the 1-based line of the slice
 */
public record RecipeSlice(
    List<RecipeSource> sources, ParameterSet parameters, String baseModel, int line) {

  public RecipeSlice {
    sources = List.copyOf(sources);
  }

  /** Layers in this output slice, or {@code null} when the slice spans the whole model. */
  public Integer layerCount() {
    LayerRange r = sources.get(0).layerRange();
    return r == null ? null : r.count();
  }

  /** Index of the source that is the base model, or -1. */
  public int baseSourceIndex() {
    for (int i = 0; i < sources.size(); i++) {
      if (sources.get(i).model().equals(baseModel)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Indices of the sources that the method receives as {@code MergeInput.models()}: all of them,
   * or, when the method treats the base specially, all but the base.
   */
  public List<Integer> inputIndices(MergeMethod method) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      if (!(method.usesBase() && sources.get(i).model().equals(baseModel))) {
        out.add(i);
      }
    }
    return out;
  }
}
