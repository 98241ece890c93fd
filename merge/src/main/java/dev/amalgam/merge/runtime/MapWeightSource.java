package dev.amalgam.merge.runtime;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** An in-memory {@link WeightSource}: fresh initializations, exported weights, tests. */
public final class MapWeightSource implements WeightSource {

  private record Tensor(long[] shape, float[] values) {}

  private final Map<String, Tensor> tensors = new LinkedHashMap<>();

  /** Adds a tensor; the element count must match the shape. */
  public MapWeightSource put(String name, long[] shape, float[] values) {
    long count = 1;
    for (long dimension : shape) {
      count *= dimension;
    }
    if (count != values.length) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + ": shape "
              + Arrays.toString(shape)
              + " needs "
              + count
              + " values, got "
              + values.length);
    }
    tensors.put(name, new Tensor(shape.clone(), values));
    return this;
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  @Override
  public float[] floats(String name) {
    return tensor(name).values();
  }

  @Override
  public long[] shape(String name) {
    return tensor(name).shape().clone();
  }

  private Tensor tensor(String name) {
    Tensor tensor = tensors.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException("no tensor named " + name);
    }
    return tensor;
  }
}
