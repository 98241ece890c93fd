package dev.amalgam.merge.checkpoint;

import java.util.Arrays;

/**
 * One tensor of a checkpoint: its name, element type, shape and byte length. The shape array is
 * never modified.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long byteLength) {
  public TensorInfo {
    shape = shape.clone();
  }

  public static TensorInfo of(String name, DType dtype, long... shape) {
    return new TensorInfo(
        name, dtype, shape, Math.multiplyExact(elementCount(shape), dtype.byteSize()));
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  public long elementCount() {
    return elementCount(shape);
  }

  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public boolean sameShape(TensorInfo other) {
    return Arrays.equals(shape, other.shape);
  }

  public String shapeText() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && t.name.equals(name)
        && t.dtype == dtype
        && Arrays.equals(t.shape, shape)
        && t.byteLength == byteLength;
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + shapeText();
  }
}
