package dev.amalgam.merge.recipe;

import java.util.Map;

/**
 * Where the output tokenizer comes from: {@code tokenizer_source: X} or {@code tokenizer: {source:
 * X, ...}}.
 *
 * @param source {@code base}, {@code union}, or a model reference
 * @param padToMultipleOf mergekit's {@code pad_to_multiple_of}, or null
 * @param tokens mergekit's {@code tokens} block as plain maps and lists, or an empty map
 * @param line the 1-based line of the setting
 */
public record TokenizerSettings(
    String source, Integer padToMultipleOf, Map<String, Object> tokens, int line) {

  public boolean isBase() {
    return source.equals("base");
  }

  public boolean isUnion() {
    return source.equals("union");
  }

  /** The model to copy the tokenizer from, or null for base/union. */
  public String model() {
    return isBase() || isUnion() ? null : source;
  }
}
