package dev.amalgam.merge.method;

import java.util.List;
import java.util.Optional;

/**
 * A merge method: a pure function from the input tensors of one output tensor (plus resolved
 * parameters and the recipe seed) to the output tensor. Implementations are stateless and
 * thread-safe; every reduction runs in a fixed order, so the result does not depend on threads.
 */
public interface MergeMethod {

  /** The recipe name ({@code merge_method}). */
  String name();

  /** The parameters the method accepts, with scope, type and default. */
  List<ParameterSpec> parameters();

  /** Whether the recipe must name a {@code base_model}. */
  boolean requiresBase();

  /**
   * Whether the method treats the base model specially. When true the executor passes the base in
   * {@link MergeInput#base()} and leaves it out of {@link MergeInput#models()}; when false (linear,
   * karcher, passthrough) a base listed among the models is an ordinary input and {@code base} is
   * {@code null}.
   */
  default boolean usesBase() {
    return true;
  }

  /**
   * Checks the number of inputs for one tensor.
   *
   * @param models number of non-base inputs
   * @param hasBase whether a base model is present
   * @return {@code null} when fine, else the problem and its fix in one sentence
   */
  String checkInputs(int models, boolean hasBase);

  /**
   * Whether output element e depends only on element e of each input and the parameters, never on
   * other elements, the shape or the tensor name. The executor may then merge a tensor in
   * independent blocks (each passed as a 1-D tensor) with the same bytes as one call.
   */
  default boolean elementwise() {
    return false;
  }

  /**
   * The kernel of an elementwise method for one tensor, with its parameters resolved.
   *
   * @param tensorName the tensor (for errors)
   * @param parameters the resolved parameters of the tensor
   * @param models number of non-base inputs
   * @param hasBase whether a base is passed
   * @throws UnsupportedOperationException when the method is not elementwise
   */
  default ElementwiseKernel elementwiseKernel(
      String tensorName, ResolvedParameters parameters, int models, boolean hasBase) {
    throw new UnsupportedOperationException(name() + " is not elementwise");
  }

  /**
   * The block-by-block form of a method whose elements need whole-tensor statistics, or {@code
   * null} when the method (with these parameters) has none and must see whole tensors.
   *
   * @param tensorName the tensor (keys random masks, appears in errors)
   * @param shape the tensor shape
   * @param parameters the resolved parameters of the tensor
   * @param models number of non-base inputs
   * @param hasBase whether a base is passed
   * @param seed the recipe seed
   */
  default BlockwiseKernel blockwiseKernel(
      String tensorName,
      long[] shape,
      ResolvedParameters parameters,
      int models,
      boolean hasBase,
      long seed) {
    return null;
  }

  /** Merges one tensor. Throws {@link MergeException} naming the tensor when it cannot. */
  float[] merge(MergeInput input);

  default Optional<ParameterSpec> parameter(String name) {
    return parameters().stream().filter(p -> p.name().equals(name)).findFirst();
  }
}
