package dev.amalgam.merge.method;

import java.util.List;

/** Shared input checks and default filling; subclasses implement {@link #compute}. */
abstract class AbstractMergeMethod implements MergeMethod {
  private final String name;
  private final List<ParameterSpec> parameters;
  private final boolean requiresBase;

  AbstractMergeMethod(String name, boolean requiresBase, List<ParameterSpec> parameters) {
    this.name = name;
    this.requiresBase = requiresBase;
    this.parameters = List.copyOf(parameters);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final List<ParameterSpec> parameters() {
    return parameters;
  }

  @Override
  public final boolean requiresBase() {
    return requiresBase;
  }

  @Override
  public String checkInputs(int models, boolean hasBase) {
    if (requiresBase && !hasBase) {
      return name + " needs base_model";
    }
    if (models < 1) {
      return name + " needs at least one model besides the base";
    }
    return null;
  }

  @Override
  public final float[] merge(MergeInput in) {
    String problem = checkInputs(in.models().size(), in.base() != null);
    if (problem != null) {
      throw new MergeException("tensor " + in.tensorName() + ": " + problem);
    }
    ResolvedParameters p =
        in.parameters().withDefaults(name, in.tensorName(), parameters, in.models().size());
    return compute(in, p);
  }

  /** Computes the merged tensor; {@code p} has every declared parameter filled in. */
  abstract float[] compute(MergeInput in, ResolvedParameters p);

  MergeException error(MergeInput in, String message) {
    return new MergeException("tensor " + in.tensorName() + ": " + name + " " + message);
  }

  @Override
  public String toString() {
    return name;
  }
}
