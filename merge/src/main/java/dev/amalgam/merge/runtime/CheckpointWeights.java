package dev.amalgam.merge.runtime;

import dev.amalgam.merge.checkpoint.Checkpoint;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The tensors of an open {@link Checkpoint} as a {@link WeightSource}; any stored float dtype (F16,
 * BF16, F8, ...) is decoded to fp32 in Java by the checkpoint reader.
 */
public final class CheckpointWeights implements WeightSource {

  private final Checkpoint checkpoint;
  private final Set<String> names;

  public CheckpointWeights(Checkpoint checkpoint) {
    this.checkpoint = checkpoint;
    this.names = Collections.unmodifiableSet(new LinkedHashSet<>(checkpoint.tensorNames()));
  }

  @Override
  public Set<String> names() {
    return names;
  }

  @Override
  public float[] floats(String name) {
    return checkpoint.readFloats(name);
  }

  @Override
  public long[] shape(String name) {
    return checkpoint.info(name).shape();
  }
}
