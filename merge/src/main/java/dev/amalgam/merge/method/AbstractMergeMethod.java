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
    return compute(
        in, checked(in.tensorName(), in.parameters(), in.models().size(), in.base() != null));
  }

  @Override
  public final ElementwiseKernel elementwiseKernel(
      String tensorName, ResolvedParameters parameters, int models, boolean hasBase) {
    if (!elementwise()) {
      return MergeMethod.super.elementwiseKernel(tensorName, parameters, models, hasBase);
    }
    return kernel(tensorName, checked(tensorName, parameters, models, hasBase), models);
  }

  @Override
  public final BlockwiseKernel blockwiseKernel(
      String tensorName,
      long[] shape,
      ResolvedParameters parameters,
      int models,
      boolean hasBase,
      long seed) {
    if (!hasBlockwiseKernel()) {
      return null;
    }
    return blockwise(
        tensorName, shape, checked(tensorName, parameters, models, hasBase), models, seed);
  }

  /** Whether {@link #blockwise} is implemented. */
  boolean hasBlockwiseKernel() {
    return false;
  }

  /** The block-by-block kernel; {@code p} has every declared parameter filled in. */
  BlockwiseKernel blockwise(
      String tensorName, long[] shape, ResolvedParameters p, int models, long seed) {
    throw new UnsupportedOperationException(name + " has no block-by-block form");
  }

  private ResolvedParameters checked(
      String tensorName, ResolvedParameters parameters, int models, boolean hasBase) {
    String problem = checkInputs(models, hasBase);
    if (problem != null) {
      throw new MergeException("tensor " + tensorName + ": " + problem);
    }
    return parameters.withDefaults(name, tensorName, this.parameters, models);
  }

  /**
   * The kernel of an elementwise method; {@code p} has every declared parameter filled in. Only
   * called when {@link #elementwise()} is true.
   */
  ElementwiseKernel kernel(String tensorName, ResolvedParameters p, int models) {
    throw new UnsupportedOperationException(name + " is not elementwise");
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
