package dev.amalgam.merge.method;

/**
 * One parameter a merge method accepts.
 *
 * @param name the recipe key, as in mergekit ({@code weight}, {@code density}, {@code t}, ...)
 * @param scope whether the value may differ per model or is one value for the whole tensor
 * @param kind the value type
 * @param defaultValue the method default, or {@code null} when the parameter has none
 * @param required whether a recipe must set it (only meaningful without a default)
 */
public record ParameterSpec(
    String name, Scope scope, Kind kind, Object defaultValue, boolean required) {

  /** Where a parameter's value lives. */
  public enum Scope {
    /** May differ for every input model ({@code weight}, {@code density}, ...). */
    PER_MODEL,
    /** One value for the tensor ({@code t}, {@code normalize}, {@code lambda}, ...). */
    GLOBAL
  }

  /** The value type of a parameter. */
  public enum Kind {
    NUMBER,
    INTEGER,
    BOOLEAN,
    /** {@code true}, {@code false} or the string {@code elementwise}. */
    RESCALE
  }

  static ParameterSpec perModel(String name, double defaultValue) {
    return new ParameterSpec(name, Scope.PER_MODEL, Kind.NUMBER, defaultValue, false);
  }

  static ParameterSpec requiredPerModel(String name) {
    return new ParameterSpec(name, Scope.PER_MODEL, Kind.NUMBER, null, true);
  }

  static ParameterSpec global(String name, Kind kind, Object defaultValue) {
    return new ParameterSpec(name, Scope.GLOBAL, kind, defaultValue, false);
  }

  static ParameterSpec requiredGlobal(String name) {
    return new ParameterSpec(name, Scope.GLOBAL, Kind.NUMBER, null, true);
  }

  public boolean perModel() {
    return scope == Scope.PER_MODEL;
  }
}
