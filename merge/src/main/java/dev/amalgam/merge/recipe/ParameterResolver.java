package dev.amalgam.merge.recipe;

import dev.amalgam.merge.method.MergeMethod;
import dev.amalgam.merge.method.ParameterSpec;
import dev.amalgam.merge.method.ResolvedParameters;
import java.util.List;
import java.util.Optional;

/**
 * Resolves parameter values for tensors of one output slice. The most specific level that yields a
 * value wins: the model's own parameters (in the slice source, or its {@code models:} entry), then
 * the slice's, then the global ones; method defaults are applied by the method. At each level a
 * filter list with no matching entry falls through to the next level.
 */
public final class ParameterResolver {
  private final RecipeSlice slice;
  private final ParameterSet global;

  ParameterResolver(RecipeSlice slice, ParameterSet global) {
    this.slice = slice;
    this.global = global;
  }

  /**
   * The value of one parameter for one tensor.
   *
   * @param paramName the parameter
   * @param modelIndex an index into the slice's sources, or -1 for a global parameter
   * @param tensorName the tensor name that filters match
   * @param layerIndex the layer index inside this output slice, or null outside the layers
   * @param layersInSlice the number of layers of this output slice
   * @return the value ({@link Double}, {@link Boolean} or {@link String}), or empty when unset
   */
  public Optional<Object> resolve(
      String paramName, int modelIndex, String tensorName, Integer layerIndex, int layersInSlice) {
    if (modelIndex >= 0) {
      Optional<Object> own =
          lookup(
              slice.sources().get(modelIndex).parameters(),
              paramName,
              tensorName,
              layerIndex,
              layersInSlice);
      if (own.isPresent()) {
        return own;
      }
    }
    Optional<Object> sliceValue =
        lookup(slice.parameters(), paramName, tensorName, layerIndex, layersInSlice);
    if (sliceValue.isPresent()) {
      return sliceValue;
    }
    return lookup(global, paramName, tensorName, layerIndex, layersInSlice);
  }

  private static Optional<Object> lookup(
      ParameterSet set, String name, String tensorName, Integer layerIndex, int layersInSlice) {
    return set.get(name).flatMap(v -> v.evaluate(tensorName, layerIndex, layersInSlice));
  }

  /**
   * Every parameter {@code method} declares, resolved for one tensor: per-model values for the
   * sources in {@code inputIndices} (aligned with {@code MergeInput.models()}, see {@link
   * RecipeSlice#inputIndices}) and global values. Unset parameters are left for the method's
   * defaults.
   */
  public ResolvedParameters resolveFor(
      MergeMethod method,
      List<Integer> inputIndices,
      String tensorName,
      Integer layerIndex,
      int layersInSlice) {
    ResolvedParameters.Builder b = ResolvedParameters.builder();
    for (ParameterSpec spec : method.parameters()) {
      if (spec.perModel()) {
        for (int k = 0; k < inputIndices.size(); k++) {
          int position = k;
          resolve(spec.name(), inputIndices.get(k), tensorName, layerIndex, layersInSlice)
              .ifPresent(v -> b.model(position, spec.name(), v));
        }
      } else {
        resolve(spec.name(), -1, tensorName, layerIndex, layersInSlice)
            .ifPresent(v -> b.global(spec.name(), v));
      }
    }
    return b.build();
  }
}
