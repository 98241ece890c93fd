package dev.amalgam.merge.engine;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amalgam.merge.recipe.Recipe;
import java.io.IOException;
import java.util.Map;

/**
 * {@code amalgam-merge.json}: the recipe, inputs, tool version, output id and how every tensor was
 * produced, so {@code amalgam verify} can recompute the merge.
 */
final class Provenance {
  static final String FILE_NAME = "amalgam-merge.json";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Provenance() {}

  static byte[] json(
      Recipe recipe,
      MergePlan plan,
      Map<String, String> inputIds,
      String outputId,
      String toolVersion) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", "amalgam-merge");
    root.put("version", 1);
    root.put("tool", "amalgam " + toolVersion);
    root.put("recipe", recipe.text());
    root.put("merge_method", recipe.method().name());
    root.put("seed", recipe.seed());
    ArrayNode in = root.putArray("inputs");
    for (String model : recipe.referencedModels()) {
      ObjectNode o = in.addObject().put("model", model);
      if (inputIds.containsKey(model)) {
        o.put("id", inputIds.get(model));
      }
    }
    root.put("reference_model", plan.referenceModel());
    if (outputId != null) {
      root.put("output_id", outputId);
    }
    ArrayNode tensors = root.putArray("tensors");
    for (PlannedTensor t : plan.tensors()) {
      ObjectNode o = tensors.addObject();
      o.put("name", t.name());
      o.put("dtype", t.output().dtype().name());
      o.put("produced_by", t.merged() ? recipe.method().name() : "copy");
      o.put("slice", t.slice());
      if (t.layerIndex() != null) {
        o.put("layer_in_slice", t.layerIndex());
        o.put("layers_in_slice", t.layersInSlice());
      }
      if (t.base() != null) {
        o.putObject("base").put("model", t.base().model()).put("tensor", t.base().tensor());
      }
      ArrayNode models = o.putArray("models");
      for (TensorSource s : t.models()) {
        models.addObject().put("model", s.model()).put("tensor", s.tensor());
      }
    }
    ArrayNode warnings = root.putArray("warnings");
    plan.warnings().forEach(warnings::add);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
