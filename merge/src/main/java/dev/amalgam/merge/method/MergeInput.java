package dev.amalgam.merge.method;

import java.util.List;

/**
 * Everything a merge method sees for one tensor.
 *
 * @param tensorName the output tensor name (keys the random masks and appears in errors)
 * @param shape the tensor shape; every array holds {@code product(shape)} elements, row-major
 * @param base the base model's tensor, or {@code null} when the recipe has no base
 * @param models the other inputs' tensors, in recipe order (the base excluded)
 * @param parameters per-model and global parameter values resolved for this tensor
 * @param seed the recipe seed for random masks
 */
public record MergeInput(
    String tensorName,
    long[] shape,
    float[] base,
    List<float[]> models,
    ResolvedParameters parameters,
    long seed) {

  public MergeInput {
    shape = shape.clone();
    models = List.copyOf(models);
    long expected = 1;
    for (long d : shape) {
      expected *= d;
    }
    if (base != null && base.length != expected) {
      throw new MergeException(
          "tensor "
              + tensorName
              + ": base has "
              + base.length
              + " elements, shape needs "
              + expected);
    }
    for (int i = 0; i < models.size(); i++) {
      if (models.get(i).length != expected) {
        throw new MergeException(
            "tensor "
                + tensorName
                + ": model "
                + i
                + " has "
                + models.get(i).length
                + " elements, shape needs "
                + expected
                + " (mismatched shapes)");
      }
    }
  }

  /** Number of elements in the tensor. */
  public int size() {
    return base != null ? base.length : models.get(0).length;
  }

  /** Number of rows when the tensor is viewed as [shape[0], rest]; a 1-D tensor is one row. */
  public int rows() {
    return shape.length < 2 ? 1 : (int) shape[0];
  }

  /** Length of one row (see {@link #rows()}). */
  public int rowLength() {
    return size() / Math.max(1, rows());
  }

  public long[] shape() {
    return shape.clone();
  }
}
