package dev.amalgam.merge.engine;

import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Writes tiny Llama-shaped checkpoints (real safetensors files) for executor tests. */
final class TinyModels {
  static final int HIDDEN = 4;
  static final int VOCAB = 8;

  private TinyModels() {}

  /** Tensor name to shape of a tiny model with {@code layers} layers. */
  static Map<String, long[]> shapes(int layers) {
    Map<String, long[]> out = new LinkedHashMap<>();
    out.put("model.embed_tokens.weight", new long[] {VOCAB, HIDDEN});
    for (int l = 0; l < layers; l++) {
      out.put("model.layers." + l + ".self_attn.q_proj.weight", new long[] {HIDDEN, HIDDEN});
      out.put("model.layers." + l + ".mlp.up_proj.weight", new long[] {6, HIDDEN});
      out.put("model.layers." + l + ".input_layernorm.weight", new long[] {HIDDEN});
    }
    out.put("model.norm.weight", new long[] {HIDDEN});
    out.put("lm_head.weight", new long[] {VOCAB, HIDDEN});
    return out;
  }

  static Path write(Path dir, String modelType, int layers, long seed) throws IOException {
    return write(dir, modelType, layers, seed, shapes(layers), DType.F32);
  }

  static Path write(
      Path dir, String modelType, int layers, long seed, Map<String, long[]> shapes, DType dtype)
      throws IOException {
    return write(dir, modelType, layers, seed, shapes, dtype, null);
  }

  /** A model whose tokenizer.json has exactly {@code vocab} (id = position) and matching rows. */
  static Path writeWithVocabulary(Path dir, long seed, List<String> vocab) throws IOException {
    Map<String, long[]> shapes = shapes(2);
    shapes.put("model.embed_tokens.weight", new long[] {vocab.size(), HIDDEN});
    shapes.put("lm_head.weight", new long[] {vocab.size(), HIDDEN});
    return write(dir, "llama", 2, seed, shapes, DType.F32, vocab);
  }

  static Path write(
      Path dir,
      String modelType,
      int layers,
      long seed,
      Map<String, long[]> shapes,
      DType dtype,
      List<String> vocab)
      throws IOException {
    List<TensorInfo> plan = new ArrayList<>();
    shapes.forEach((name, shape) -> plan.add(TensorInfo.of(name, dtype, shape)));
    SplittableRandom random = new SplittableRandom(seed);
    try (CheckpointWriter w = CheckpointWriter.create(dir, plan, 1 << 20)) {
      for (TensorInfo t : plan) {
        float[] v = new float[(int) t.elementCount()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        w.writeFloats(t.name(), v);
      }
      w.writeFile("config.json", config(modelType, layers).getBytes(StandardCharsets.UTF_8));
      if (vocab != null) {
        StringBuilder json = new StringBuilder("{\"version\": \"1.0\", \"added_tokens\": [], ");
        json.append("\"model\": {\"type\": \"BPE\", \"merges\": [], \"vocab\": {");
        for (int i = 0; i < vocab.size(); i++) {
          json.append(i == 0 ? "" : ", ").append('"').append(vocab.get(i)).append("\": ").append(i);
        }
        json.append("}}}");
        w.writeFile("tokenizer.json", json.toString().getBytes(StandardCharsets.UTF_8));
      }
      w.writeFile(
          "tokenizer_config.json",
          ("{\"model_max_length\": 64, \"from\": \"" + dir.getFileName() + "\"}")
              .getBytes(StandardCharsets.UTF_8));
      w.commit(false);
    }
    return dir;
  }

  static String config(String modelType, int layers) {
    return """
        {"model_type": "%s", "architectures": ["LlamaForCausalLM"], "hidden_size": %d,
         "intermediate_size": 6, "num_hidden_layers": %d, "num_attention_heads": 2,
         "num_key_value_heads": 2, "vocab_size": %d, "torch_dtype": "float32"}
        """
        .formatted(modelType, HIDDEN, layers, VOCAB);
  }
}
