package dev.amalgam.merge.recipe;

/**
 * One input of a slice (or one entry of {@code models:}).
 *
 * @param model a local path or an expert id, resolved to a checkpoint elsewhere
 * @param layerRange the source layers, or {@code null} for a {@code models:} recipe (all layers)
 * @param parameters the per-model parameters
 * @param line the 1-based line of the entry
 */
public record RecipeSource(
    String model, LayerRange layerRange, ParameterSet parameters, int line) {}
