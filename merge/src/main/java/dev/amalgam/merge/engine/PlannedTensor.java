package dev.amalgam.merge.engine;

import dev.amalgam.merge.checkpoint.TensorInfo;
import java.util.List;

/**
 * How one output tensor is produced.
 *
 * @param output name, dtype and shape in the output checkpoint
 * @param slice the recipe slice whose parameters apply
 * @param layerIndex the layer inside that slice, or null for tensors outside the layers
 * @param layersInSlice the number of layers of the slice (for gradients)
 * @param inputIndices the slice source indices the models come from (for per-model parameters)
 * @param models the method's model inputs, aligned with {@code inputIndices}
 * @param base the base input, or null
 * @param merged false when the tensor is copied unchanged (integer tensors)
 * @param reindexed whether rows are token ids re-indexed to the output vocabulary first
 */
public record PlannedTensor(
    TensorInfo output,
    int slice,
    Integer layerIndex,
    int layersInSlice,
    List<Integer> inputIndices,
    List<TensorSource> models,
    TensorSource base,
    boolean merged,
    boolean reindexed) {

  public PlannedTensor {
    inputIndices = List.copyOf(inputIndices);
    models = List.copyOf(models);
  }

  public String name() {
    return output.name();
  }
}
