package dev.amalgam.merge.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A Hugging Face {@code config.json}. Llama, Mistral, Qwen2 and Qwen3 configs are checked for the
 * keys a decoder needs; any other {@code model_type} is kept as a generic config (still readable
 * and mergeable tensor by tensor).
 */
public final class HfConfig {
  public static final Set<String> DECODER_TYPES = Set.of("llama", "mistral", "qwen2", "qwen3");
  private static final String[] REQUIRED = {
    "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size"
  };
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String source;
  private final ObjectNode raw;

  private HfConfig(String source, ObjectNode raw) {
    this.source = source;
    this.raw = raw;
  }

  public static HfConfig read(Path file) throws CheckpointException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + ": no such file");
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(file.toString(), bytes);
  }

  public static HfConfig parse(String source, byte[] bytes) throws CheckpointException {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new CheckpointException(source + ": not valid UTF-8");
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(
          source
              + ": not valid JSON: "
              + e.getOriginalMessage()
              + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
    if (node == null || !node.isObject()) {
      throw new CheckpointException(source + ": must be a JSON object");
    }
    HfConfig config = new HfConfig(source, (ObjectNode) node);
    config.validate();
    return config;
  }

  private void validate() throws CheckpointException {
    JsonNode type = raw.get("model_type");
    if (type != null && !type.isTextual()) {
      throw new CheckpointException(source + ": model_type must be a string");
    }
    if (!isKnownDecoder()) {
      return;
    }
    for (String key : REQUIRED) {
      JsonNode v = raw.get(key);
      if (v == null || v.isNull()) {
        throw new CheckpointException(
            source + ": missing required key '" + key + "' for model_type " + modelType());
      }
      if (!v.isIntegralNumber() || v.longValue() <= 0 || !v.canConvertToInt()) {
        throw new CheckpointException(
            source + ": '" + key + "' must be a positive integer, got " + v);
      }
    }
    if (numAttentionHeads() % numKeyValueHeads() != 0) {
      throw new CheckpointException(
          source
              + ": num_attention_heads "
              + numAttentionHeads()
              + " is not a multiple of num_key_value_heads "
              + numKeyValueHeads());
    }
  }

  public String source() {
    return source;
  }

  /** The raw JSON; callers must not modify it (use {@link #with}). */
  public ObjectNode raw() {
    return raw;
  }

  public String modelType() {
    JsonNode t = raw.get("model_type");
    return t == null ? "unknown" : t.textValue();
  }

  public boolean isKnownDecoder() {
    return DECODER_TYPES.contains(modelType());
  }

  public int hiddenSize() {
    return intValue("hidden_size", 0);
  }

  public int intermediateSize() {
    return intValue("intermediate_size", 0);
  }

  public int numHiddenLayers() {
    return intValue("num_hidden_layers", 0);
  }

  public int numAttentionHeads() {
    return intValue("num_attention_heads", 0);
  }

  public int numKeyValueHeads() {
    return intValue("num_key_value_heads", numAttentionHeads());
  }

  public int vocabSize() {
    return intValue("vocab_size", 0);
  }

  public int headDim() {
    int heads = numAttentionHeads();
    return intValue("head_dim", heads == 0 ? 0 : hiddenSize() / heads);
  }

  public double rmsNormEps() {
    return doubleValue("rms_norm_eps", 1e-6);
  }

  public double ropeTheta() {
    return doubleValue("rope_theta", 10000.0);
  }

  public Optional<JsonNode> ropeScaling() {
    JsonNode n = raw.get("rope_scaling");
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
  }

  public boolean tieWordEmbeddings() {
    JsonNode n = raw.get("tie_word_embeddings");
    return n != null && n.asBoolean(false);
  }

  /** Qwen2 always has q/k/v biases; Llama-family configs may ask for them with attention_bias. */
  public boolean attentionBias() {
    JsonNode n = raw.get("attention_bias");
    return modelType().equals("qwen2") || (n != null && n.asBoolean(false));
  }

  public Optional<String> torchDtype() {
    JsonNode n = raw.get("torch_dtype");
    return n == null || !n.isTextual() ? Optional.empty() : Optional.of(n.textValue());
  }

  /** Architectures listed in the config (e.g. LlamaForCausalLM), or the model type. */
  public String architecture() {
    JsonNode a = raw.get("architectures");
    if (a != null && a.isArray() && !a.isEmpty() && a.get(0).isTextual()) {
      return a.get(0).textValue();
    }
    return modelType();
  }

  /** A copy with one integer key replaced (e.g. num_hidden_layers after slicing). */
  public HfConfig with(String key, int value) {
    ObjectNode copy = raw.deepCopy();
    copy.put(key, value);
    return new HfConfig(source, copy);
  }

  public byte[] toJsonBytes() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(raw);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private int intValue(String key, int fallback) {
    JsonNode n = raw.get(key);
    return n == null || !n.canConvertToInt() ? fallback : n.intValue();
  }

  private double doubleValue(String key, double fallback) {
    JsonNode n = raw.get(key);
    return n == null || !n.isNumber() ? fallback : n.doubleValue();
  }
}
