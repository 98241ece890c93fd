package dev.amalgam.merge.search;

/**
 * Tensors that share one set of searched values: a run of layers (optionally only their attention
 * or only their MLP tensors), or every tensor outside the layers (embeddings, final norm, lm_head).
 *
 * @param firstLayer the first layer of the group, or -1 for the tensors outside the layers
 * @param endLayer one past the last layer (exclusive), or -1 outside the layers
 * @param module which tensors of those layers
 */
public record ParameterGroup(int firstLayer, int endLayer, Module module) {

  /** Which tensors of a layer a group covers. */
  public enum Module {
    /** Every tensor of the layer. */
    ALL,
    /** The attention block: {@code self_attn.*} and the {@code input_layernorm} before it. */
    ATTENTION,
    /** The MLP block: {@code mlp.*} and the {@code post_attention_layernorm} before it. */
    MLP;

    /** The module a layer tensor belongs to when attention and MLP are searched apart. */
    static Module of(String tensorName) {
      return tensorName.contains("self_attn") || tensorName.contains("input_layernorm")
          ? ATTENTION
          : MLP;
    }
  }

  static ParameterGroup outsideLayers() {
    return new ParameterGroup(-1, -1, Module.ALL);
  }

  public boolean outside() {
    return firstLayer < 0;
  }

  public boolean contains(Integer layer, String tensorName) {
    if (layer == null) {
      return outside();
    }
    return !outside()
        && layer >= firstLayer
        && layer < endLayer
        && (module == Module.ALL || module == Module.of(tensorName));
  }

  /** A short name for logs and charts: {@code L0-1}, {@code L2/attn}, {@code other}. */
  public String label() {
    if (outside()) {
      return "other";
    }
    String layers =
        endLayer - firstLayer == 1 ? "L" + firstLayer : "L" + firstLayer + "-" + (endLayer - 1);
    return switch (module) {
      case ALL -> layers;
      case ATTENTION -> layers + "/attn";
      case MLP -> layers + "/mlp";
    };
  }
}
