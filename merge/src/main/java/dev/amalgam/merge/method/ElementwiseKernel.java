package dev.amalgam.merge.method;

/**
 * An {@link MergeMethod#elementwise() elementwise} method prepared for one tensor: parameters are
 * resolved and checked once, then any block of elements merges with no further allocation. A kernel
 * keeps scratch arrays, so it belongs to one thread. Merging a tensor block by block gives exactly
 * the bytes of {@link MergeMethod#merge} on the whole tensor.
 */
public interface ElementwiseKernel {
  /**
   * Merges {@code len} elements: {@code out[j]} from {@code base[j]} (null when the method takes no
   * base) and {@code models[i][j]}, for {@code j < len}.
   */
  void merge(float[] base, float[][] models, int len, float[] out);
}
