package dev.amalgam.merge.method;

/**
 * A method prepared for one tensor that merges it block by block although an output element depends
 * on whole-tensor statistics (a magnitude threshold, L1 norms): the caller first streams every
 * block through {@link #observe} once per requested pass, then through {@link #merge}, always in
 * ascending order of {@code first}. The result has exactly the bytes of {@link MergeMethod#merge}
 * on the whole tensor. A kernel keeps scratch state: one thread uses it.
 *
 * <p>Blocks come in natural order or, for {@code laneOrder}, with the block's even elements first
 * and its odd ones after them (a last unpaired element stays last), as {@code
 * dev.amalgam.merge.checkpoint.Bf16Lanes} decodes BF16; the kernel maps positions back to element
 * indices where it needs them (random masks, ties broken by index, sums in index order).
 */
public interface BlockwiseKernel {
  /** Whether another statistics pass over all blocks is needed before merging. */
  boolean needsPass();

  /**
   * How many elements the kernel would like to see, spread evenly across the tensor, before the
   * first statistics pass (0: none). A sample is a hint: the result must not depend on it.
   */
  default int sampleSize() {
    return 0;
  }

  /**
   * Up to {@link #sampleSize} elements taken across the tensor, positions the same in the base and
   * every model but in no particular order.
   */
  default void sample(float[] base, float[][] models, int len) {}

  /** One block of a statistics pass. */
  void observe(long first, float[] base, float[][] models, int len, boolean laneOrder);

  /** Ends a statistics pass. */
  void endPass();

  /** Merges one block into {@code out[0..len)}, in the block's order. */
  void merge(long first, float[] base, float[][] models, int len, boolean laneOrder, float[] out);

  /** A kernel of an elementwise method: no statistics passes. */
  static BlockwiseKernel of(ElementwiseKernel kernel) {
    return new BlockwiseKernel() {
      @Override
      public boolean needsPass() {
        return false;
      }

      @Override
      public void observe(long first, float[] base, float[][] models, int len, boolean laneOrder) {
        throw new IllegalStateException("an elementwise kernel takes no statistics pass");
      }

      @Override
      public void endPass() {}

      @Override
      public void merge(
          long first, float[] base, float[][] models, int len, boolean laneOrder, float[] out) {
        kernel.merge(base, models, len, out);
      }
    };
  }
}
