package dev.amalgam.merge.recipe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code parameters:} block at one level (global, slice, or one model).
 *
 * @param values parameter name to value, in recipe order
 * @param keyLines parameter name to the 1-based line of its key
 * @param line the line of the block, or of its owner when the block is absent
 */
public record ParameterSet(
    Map<String, ParameterValue> values, Map<String, Integer> keyLines, int line) {

  public ParameterSet {
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    keyLines = Map.copyOf(keyLines);
  }

  static ParameterSet empty(int line) {
    return new ParameterSet(Map.of(), Map.of(), line);
  }

  public Optional<ParameterValue> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }
}
