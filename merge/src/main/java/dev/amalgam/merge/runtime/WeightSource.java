package dev.amalgam.merge.runtime;

import java.util.Set;

/**
 * Where a {@link DecoderModel} gets its parameters: tensors by Hugging Face name, already converted
 * to fp32 row-major values. A checkpoint reader implements it; so does {@link DecoderModel} itself.
 */
public interface WeightSource {

  /** The names of all tensors this source holds. */
  Set<String> names();

  /** The tensor's values as fp32, row-major; throws if the tensor is absent. */
  float[] floats(String name);

  /** The tensor's shape; throws if the tensor is absent. */
  long[] shape(String name);

  default boolean contains(String name) {
    return names().contains(name);
  }
}
