package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.TensorInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** Variants of the bundled example: same architecture and tokenizer, perturbed weights. */
final class TinyModels {
  private TinyModels() {}

  static Path variant(Path out, long seed) throws Exception {
    try (Checkpoint example = Checkpoint.open(InspectCommandTest.EXAMPLE)) {
      List<TensorInfo> plan = example.tensors();
      SplittableRandom rnd = new SplittableRandom(seed);
      try (CheckpointWriter w =
          CheckpointWriter.create(out, plan, CheckpointWriter.DEFAULT_SHARD_BYTES)) {
        for (TensorInfo t : plan) {
          float[] v = example.readFloats(t.name());
          for (int i = 0; i < v.length; i++) {
            v[i] += (float) (rnd.nextGaussian() * 0.01);
          }
          w.writeFloats(t.name(), v);
        }
        for (Path side : example.sideFiles()) {
          w.copyFile(side, side.getFileName().toString());
        }
        return w.commit(false);
      }
    }
  }
}
