package dev.amalgam.merge.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Hugging Face tensor names and shapes of a {@link DecoderConfig}. */
public final class WeightNames {

  public static final String EMBED = "model.embed_tokens.weight";
  public static final String FINAL_NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";

  private WeightNames() {}

  public static String layer(int layer, String suffix) {
    return "model.layers." + layer + "." + suffix;
  }

  /** Every parameter the config needs, in checkpoint order, with its shape. */
  public static Map<String, long[]> shapes(DecoderConfig c) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    long q = (long) c.heads() * c.headDim();
    long kv = (long) c.kvHeads() * c.headDim();
    shapes.put(EMBED, new long[] {c.vocab(), c.hidden()});
    for (int i = 0; i < c.layers(); i++) {
      shapes.put(layer(i, "input_layernorm.weight"), new long[] {c.hidden()});
      shapes.put(layer(i, "self_attn.q_proj.weight"), new long[] {q, c.hidden()});
      shapes.put(layer(i, "self_attn.k_proj.weight"), new long[] {kv, c.hidden()});
      shapes.put(layer(i, "self_attn.v_proj.weight"), new long[] {kv, c.hidden()});
      if (c.qkvBias()) {
        shapes.put(layer(i, "self_attn.q_proj.bias"), new long[] {q});
        shapes.put(layer(i, "self_attn.k_proj.bias"), new long[] {kv});
        shapes.put(layer(i, "self_attn.v_proj.bias"), new long[] {kv});
      }
      if (c.qkNorm()) {
        shapes.put(layer(i, "self_attn.q_norm.weight"), new long[] {c.headDim()});
        shapes.put(layer(i, "self_attn.k_norm.weight"), new long[] {c.headDim()});
      }
      shapes.put(layer(i, "self_attn.o_proj.weight"), new long[] {c.hidden(), q});
      if (c.outputBias()) {
        shapes.put(layer(i, "self_attn.o_proj.bias"), new long[] {c.hidden()});
      }
      shapes.put(layer(i, "post_attention_layernorm.weight"), new long[] {c.hidden()});
      shapes.put(layer(i, "mlp.gate_proj.weight"), new long[] {c.intermediate(), c.hidden()});
      shapes.put(layer(i, "mlp.up_proj.weight"), new long[] {c.intermediate(), c.hidden()});
      shapes.put(layer(i, "mlp.down_proj.weight"), new long[] {c.hidden(), c.intermediate()});
    }
    shapes.put(FINAL_NORM, new long[] {c.hidden()});
    if (!c.tie()) {
      shapes.put(LM_HEAD, new long[] {c.vocab(), c.hidden()});
    }
    return shapes;
  }

  public static List<String> names(DecoderConfig config) {
    return new ArrayList<>(shapes(config).keySet());
  }

  static boolean isNorm(String name) {
    return name.endsWith("norm.weight");
  }
}
