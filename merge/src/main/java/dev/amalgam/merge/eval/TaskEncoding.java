package dev.amalgam.merge.eval;

import dev.amalgam.merge.runtime.TrainingExample;
import dev.amalgam.merge.tokenizer.TextTokenizer;

/**
 * How task examples become token ids, the same for training and evaluation: [bos] + prompt, then
 * response + eos. Prompt and response are encoded separately so the boundary never shifts.
 *
 * @param bos the id put before every prompt, or -1 for none
 * @param eos the id that ends every response; generation stops on it
 */
public record TaskEncoding(TextTokenizer tokenizer, int bos, int eos) {

  /** Uses the tokenizer's {@code <s>} / {@code </s>} tokens (bos optional, eos required). */
  public static TaskEncoding of(TextTokenizer tokenizer) {
    int eos =
        tokenizer
            .idOf("</s>")
            .orElseThrow(
                () -> new IllegalArgumentException("tokenizer has no </s> token to end responses"));
    return new TaskEncoding(tokenizer, tokenizer.idOf("<s>").orElse(-1), eos);
  }

  /**
   * Uses config.json's {@code bos_token_id} / {@code eos_token_id} when present (real checkpoints
   * name them there: Llama 3, Qwen), else the tokenizer's {@code <s>} / {@code </s>}.
   */
  public static TaskEncoding of(
      TextTokenizer tokenizer, dev.amalgam.merge.checkpoint.HfConfig config) {
    int bos = firstId(config.raw().get("bos_token_id"));
    int eos = firstId(config.raw().get("eos_token_id"));
    if (eos < 0) {
      return of(tokenizer);
    }
    return new TaskEncoding(tokenizer, bos >= 0 ? bos : tokenizer.idOf("<s>").orElse(-1), eos);
  }

  private static int firstId(com.fasterxml.jackson.databind.JsonNode n) {
    if (n == null || n.isNull()) {
      return -1;
    }
    if (n.isArray()) {
      return n.isEmpty() ? -1 : n.get(0).asInt(-1);
    }
    return n.asInt(-1);
  }

  public int[] prompt(TaskExample example) {
    int[] text = tokenizer.encodeIds(example.prompt());
    if (bos < 0) {
      return text;
    }
    int[] ids = new int[text.length + 1];
    ids[0] = bos;
    System.arraycopy(text, 0, ids, 1, text.length);
    return ids;
  }

  public int[] response(TaskExample example) {
    int[] text = tokenizer.encodeIds(example.response());
    int[] ids = new int[text.length + 1];
    System.arraycopy(text, 0, ids, 0, text.length);
    ids[text.length] = eos;
    return ids;
  }

  /** Prompt and response with the loss on the response (and its eos) only. */
  public TrainingExample training(TaskExample example) {
    return TrainingExample.promptResponse(prompt(example), response(example));
  }

  /** The text of generated ids, without the final eos and any special tokens. */
  public String decodeResponse(int[] generated) {
    return tokenizer.decode(generated, true);
  }
}
