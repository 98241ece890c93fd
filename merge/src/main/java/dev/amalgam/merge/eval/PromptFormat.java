package dev.amalgam.merge.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.runtime.TrainingExample;
import dev.amalgam.merge.tokenizer.TextTokenizer;

/**
 * How a task example becomes tokens, shared by training, evaluation and scoring: {@code [bos] +
 * prompt} is the context, {@code response + [eos]} the target. The special ids come from
 * config.json ({@code bos_token_id}, {@code eos_token_id}); -1 means none.
 */
public record PromptFormat(int bos, int eos) {
  public static PromptFormat of(HfConfig config) {
    return new PromptFormat(
        firstId(config.raw().get("bos_token_id")), firstId(config.raw().get("eos_token_id")));
  }

  private static int firstId(JsonNode n) {
    if (n == null || n.isNull()) {
      return -1;
    }
    if (n.isArray()) {
      return n.isEmpty() ? -1 : n.get(0).asInt(-1);
    }
    return n.asInt(-1);
  }

  public int[] promptIds(TextTokenizer tokenizer, TaskExample example) {
    int[] ids = tokenizer.encodeIds(example.prompt());
    if (bos < 0) {
      return ids;
    }
    int[] out = new int[ids.length + 1];
    out[0] = bos;
    System.arraycopy(ids, 0, out, 1, ids.length);
    return out;
  }

  public int[] responseIds(TextTokenizer tokenizer, TaskExample example) {
    int[] ids = tokenizer.encodeIds(example.response());
    if (eos < 0) {
      return ids;
    }
    int[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
    out[ids.length] = eos;
    return out;
  }

  public TrainingExample trainingExample(TextTokenizer tokenizer, TaskExample example) {
    return TrainingExample.promptResponse(
        promptIds(tokenizer, example), responseIds(tokenizer, example));
  }
}
