package dev.amalgam.merge.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWriterTest {
  @TempDir Path dir;

  private static final List<TensorInfo> PLAN =
      List.of(
          TensorInfo.of("a", DType.F32, 4, 4),
          TensorInfo.of("b", DType.BF16, 8),
          TensorInfo.of("c", DType.F16, 2, 3));

  private static float[] values(TensorInfo t) {
    float[] v = new float[(int) t.elementCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i - 3) * 0.5f + (t.name().charAt(0) - 'a');
    }
    return v;
  }

  private Path writeAll(Path out, long shardBytes, boolean reverseOrder) throws Exception {
    try (CheckpointWriter w = CheckpointWriter.create(out, PLAN, shardBytes)) {
      List<TensorInfo> order = reverseOrder ? PLAN.reversed() : PLAN;
      for (TensorInfo t : order) {
        w.writeFloats(t.name(), values(t));
      }
      w.writeFile("config.json", "{\"model_type\":\"toy\"}".getBytes());
      return w.commit(false);
    }
  }

  @Test
  void writesASingleFileThatReadsBack() throws Exception {
    Path out = writeAll(dir.resolve("single"), CheckpointWriter.DEFAULT_SHARD_BYTES, false);
    assertThat(out.resolve("model.safetensors")).exists();
    assertThat(out.resolve(ShardIndex.FILE_NAME)).doesNotExist();
    try (Checkpoint ckpt = Checkpoint.open(out)) {
      for (TensorInfo t : PLAN) {
        assertThat(ckpt.info(t.name())).isEqualTo(t);
        assertThat(ckpt.readFloats(t.name())).containsExactly(values(t));
      }
    }
  }

  @Test
  void cutsShardsAtTheByteBudgetAndWritesAnIndex() throws Exception {
    Path out = writeAll(dir.resolve("sharded"), 64, true);
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .contains(
              "model-00001-of-00002.safetensors",
              "model-00002-of-00002.safetensors",
              ShardIndex.FILE_NAME);
    }
    try (Checkpoint ckpt = Checkpoint.open(out)) {
      assertThat(ckpt.files()).hasSize(2);
      for (TensorInfo t : PLAN) {
        assertThat(ckpt.readFloats(t.name())).containsExactly(values(t));
      }
    }
  }

  @Test
  void leavesNothingBehindWhenNotCommitted() throws Exception {
    try (CheckpointWriter w = CheckpointWriter.create(dir.resolve("never"), PLAN, 1 << 20)) {
      w.writeFloats("a", values(PLAN.get(0)));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void refusesToCommitWithATensorMissing() throws Exception {
    try (CheckpointWriter w = CheckpointWriter.create(dir.resolve("partial"), PLAN, 1 << 20)) {
      w.writeFloats("a", values(PLAN.get(0)));
      assertThatThrownBy(() -> w.commit(false)).hasMessageContaining("planned but never written");
    }
  }

  @Test
  void refusesToOverwriteUnlessAsked() throws Exception {
    Path out = writeAll(dir.resolve("out"), 1 << 20, false);
    assertThatThrownBy(() -> writeAll(out, 1 << 20, false)).hasMessageContaining("already exists");
    try (CheckpointWriter w = CheckpointWriter.create(out, PLAN, 1 << 20)) {
      for (TensorInfo t : PLAN) {
        w.writeFloats(t.name(), values(t));
      }
      w.commit(true);
    }
    assertThat(Checkpoint.open(out).tensorNames()).hasSize(3);
  }

  @Test
  void rejectsValuesOfTheWrongLength() throws Exception {
    try (CheckpointWriter w = CheckpointWriter.create(dir.resolve("x"), PLAN, 1 << 20)) {
      assertThatThrownBy(() -> w.writeFloats("a", new float[3])).hasMessageContaining("planned 16");
      assertThatThrownBy(() -> w.writeFloats("zzz", new float[3]))
          .hasMessageContaining("not in the output plan");
    }
  }
}
