package dev.amalgam.merge.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * The shape of a Llama-family decoder, read from a Hugging Face {@code config.json}.
 *
 * @param modelType {@code llama}, {@code mistral}, {@code qwen2} or {@code qwen3}
 * @param ropeScaling null when the config has no (or {@code default}) rope scaling
 * @param tie whether {@code lm_head} reuses {@code model.embed_tokens.weight}
 * @param qkvBias whether q/k/v projections carry a bias (Qwen2, or Llama {@code attention_bias})
 * @param outputBias whether {@code o_proj} carries a bias (Llama {@code attention_bias})
 * @param qkNorm whether q and k are RMS-normalized per head before RoPE (Qwen3)
 * @param slidingWindow Mistral's attention window: a query sees only keys less than this many
 *     positions back; 0 for unlimited
 */
public record DecoderConfig(
    String modelType,
    int hidden,
    int intermediate,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int vocab,
    double rmsEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tie,
    boolean qkvBias,
    boolean outputBias,
    boolean qkNorm,
    int slidingWindow) {

  private static final Set<String> SUPPORTED = Set.of("llama", "mistral", "qwen2", "qwen3");

  public DecoderConfig {
    requirePositive("hidden_size", hidden);
    requirePositive("intermediate_size", intermediate);
    requirePositive("num_hidden_layers", layers);
    requirePositive("num_attention_heads", heads);
    requirePositive("num_key_value_heads", kvHeads);
    requirePositive("head_dim", headDim);
    requirePositive("vocab_size", vocab);
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "config.json: num_attention_heads "
              + heads
              + " is not a multiple of num_key_value_heads "
              + kvHeads);
    }
    if (slidingWindow < 0) {
      throw new IllegalArgumentException(
          "config.json: sliding_window must be >= 0, got " + slidingWindow);
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("config.json: head_dim must be even, got " + headDim);
    }
  }

  /** A plain Llama config (no biases, no q/k norm, no rope scaling). */
  public static DecoderConfig llama(
      int hidden,
      int intermediate,
      int layers,
      int heads,
      int kvHeads,
      int vocab,
      double ropeTheta,
      boolean tie) {
    return new DecoderConfig(
        "llama",
        hidden,
        intermediate,
        layers,
        heads,
        kvHeads,
        hidden / heads,
        vocab,
        1e-6,
        ropeTheta,
        null,
        tie,
        false,
        false,
        false,
        0);
  }

  /** Reads the fields a decoder needs from a parsed {@code config.json}. */
  public static DecoderConfig fromJson(JsonNode json) {
    String modelType = text(json, "model_type");
    if (!SUPPORTED.contains(modelType)) {
      throw new IllegalArgumentException(
          "config.json: model_type '" + modelType + "' is not a supported decoder " + SUPPORTED);
    }
    if (json.path("mlp_bias").asBoolean(false)) {
      throw new IllegalArgumentException("config.json: mlp_bias=true is not supported");
    }
    int hidden = integer(json, "hidden_size");
    int heads = integer(json, "num_attention_heads");
    int kvHeads =
        json.has("num_key_value_heads") && !json.get("num_key_value_heads").isNull()
            ? integer(json, "num_key_value_heads")
            : heads;
    int headDim = json.hasNonNull("head_dim") ? integer(json, "head_dim") : hidden / heads;
    JsonNode ropeParameters = json.path("rope_parameters");
    double ropeTheta =
        json.hasNonNull("rope_theta")
            ? json.get("rope_theta").asDouble()
            : ropeParameters.path("rope_theta").asDouble(10000.0);
    JsonNode scaling = json.hasNonNull("rope_scaling") ? json.get("rope_scaling") : ropeParameters;
    boolean attentionBias = json.path("attention_bias").asBoolean(false);
    boolean qwen2 = modelType.equals("qwen2");
    return new DecoderConfig(
        modelType,
        hidden,
        integer(json, "intermediate_size"),
        integer(json, "num_hidden_layers"),
        heads,
        kvHeads,
        headDim,
        integer(json, "vocab_size"),
        json.path("rms_norm_eps").asDouble(1e-6),
        ropeTheta,
        ropeScaling(scaling),
        json.path("tie_word_embeddings").asBoolean(false),
        qwen2 || attentionBias,
        !qwen2 && attentionBias,
        modelType.equals("qwen3"),
        slidingWindow(json, modelType));
  }

  /** A {@code config.json} that Hugging Face transformers loads as this architecture. */
  public ObjectNode toJson() {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    String architecture =
        switch (modelType) {
          case "mistral" -> "MistralForCausalLM";
          case "qwen2" -> "Qwen2ForCausalLM";
          case "qwen3" -> "Qwen3ForCausalLM";
          default -> "LlamaForCausalLM";
        };
    json.putArray("architectures").add(architecture);
    json.put("model_type", modelType);
    json.put("hidden_size", hidden);
    json.put("intermediate_size", intermediate);
    json.put("num_hidden_layers", layers);
    json.put("num_attention_heads", heads);
    json.put("num_key_value_heads", kvHeads);
    json.put("head_dim", headDim);
    json.put("vocab_size", vocab);
    json.put("rms_norm_eps", rmsEps);
    json.put("rope_theta", ropeTheta);
    json.put("hidden_act", "silu");
    json.put("tie_word_embeddings", tie);
    json.put("torch_dtype", "float32");
    if (!modelType.equals("qwen2")) {
      json.put("attention_bias", outputBias);
    }
    if (modelType.equals("mistral")) {
      if (slidingWindow > 0) {
        json.put("sliding_window", slidingWindow);
      } else {
        json.putNull("sliding_window");
      }
    }
    if (ropeScaling != null) {
      ObjectNode scaling = json.putObject("rope_scaling");
      scaling.put("rope_type", ropeScaling.type());
      scaling.put("factor", ropeScaling.factor());
      if (ropeScaling.type().equals("llama3")) {
        scaling.put("low_freq_factor", ropeScaling.lowFreqFactor());
        scaling.put("high_freq_factor", ropeScaling.highFreqFactor());
        scaling.put(
            "original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
      }
    }
    return json;
  }

  public int queriesPerKvHead() {
    return heads / kvHeads;
  }

  private static int slidingWindow(JsonNode json, String modelType) {
    if (modelType.equals("mistral")) {
      return json.hasNonNull("sliding_window") ? integer(json, "sliding_window") : 0;
    }
    if (json.path("use_sliding_window").asBoolean(false)) {
      throw new IllegalArgumentException(
          "config.json: use_sliding_window=true is not supported for " + modelType);
    }
    return 0;
  }

  private static RopeScaling ropeScaling(JsonNode scaling) {
    if (scaling == null || scaling.isMissingNode() || scaling.isNull()) {
      return null;
    }
    String type = scaling.hasNonNull("rope_type") ? scaling.get("rope_type").asText() : "";
    if (type.isEmpty()) {
      type = scaling.path("type").asText("default");
    }
    if (type.equals("default")) {
      return null;
    }
    return new RopeScaling(
        type,
        scaling.path("factor").asDouble(1.0),
        scaling.path("low_freq_factor").asDouble(1.0),
        scaling.path("high_freq_factor").asDouble(4.0),
        scaling.path("original_max_position_embeddings").asInt(8192));
  }

  private static String text(JsonNode json, String field) {
    JsonNode node = json.get(field);
    if (node == null || !node.isTextual()) {
      throw new IllegalArgumentException("config.json: field '" + field + "' missing or not text");
    }
    return node.asText();
  }

  private static int integer(JsonNode json, String field) {
    JsonNode node = json.get(field);
    if (node == null || !node.canConvertToInt() || !node.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "config.json: field '" + field + "' missing or not an integer");
    }
    return node.asInt();
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(
          "config.json: " + field + " must be positive, got " + value);
    }
  }
}
