package dev.amalgam.merge.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.ShardIndex;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.fingerprint.Manifest;
import dev.amalgam.multiformats.Cid;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving an expert from its mapped files and assembling it elsewhere chunk by chunk. */
class ExpertExchangeTest {
  @TempDir Path dir;

  private static final String CONFIG = "{\"model_type\":\"toy\"}";
  private static final List<TensorInfo> PLAN =
      List.of(
          TensorInfo.of("model.layers.0.mlp.weight", DType.F32, 655360),
          TensorInfo.of("model.layers.1.mlp.weight", DType.BF16, 600000),
          TensorInfo.of("model.norm.weight", DType.F32, 3),
          TensorInfo.of("model.empty", DType.F32, 0));

  private Path source;
  private Checkpoint checkpoint;
  private Manifest manifest;

  @BeforeEach
  void writeSource() throws Exception {
    try (CheckpointWriter w = CheckpointWriter.create(dir.resolve("src"), PLAN, 1L << 30)) {
      Random r = new Random(7);
      for (TensorInfo t : PLAN) {
        float[] v = new float[(int) t.elementCount()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) r.nextGaussian();
        }
        w.writeFloats(t.name(), v);
      }
      w.writeFile("config.json", CONFIG.getBytes(StandardCharsets.UTF_8));
      source = w.commit(false);
    }
    checkpoint = Checkpoint.open(source);
    manifest = new Fingerprinter(2).manifest(checkpoint);
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    checkpoint.close();
  }

  private static Cid expertId(Path p) throws Exception {
    try (Checkpoint c = Checkpoint.open(p)) {
      return new Fingerprinter(2).manifest(c).id();
    }
  }

  @Test
  void servesTheManifestUnderTheExpertIdAndChunksThatHashToTheirCids() throws Exception {
    CheckpointChunkSource src = CheckpointChunkSource.of(checkpoint, manifest);
    assertThat(src.expertId()).isEqualTo(manifest.id());
    ByteBuffer doc = src.get(manifest.id());
    byte[] bytes = new byte[doc.remaining()];
    doc.get(bytes);
    assertThat(bytes).isEqualTo(manifest.canonicalBytes());
    for (Manifest.TensorEntry t : manifest.tensors()) {
      for (Cid c : t.chunks()) {
        ByteBuffer b = src.get(c);
        assertThat(b.isReadOnly()).isTrue();
        assertThat(src.size(c)).isEqualTo(b.remaining());
        assertThat(Fingerprinter.hash(MemorySegment.ofBuffer(b))).isEqualTo(c);
      }
    }
    assertThat(src.get(Cid.rawSha256(new byte[] {1}))).isNull();
    assertThat(src.size(Cid.rawSha256(new byte[] {1}))).isEqualTo(-1);
  }

  @Test
  void assemblesShardedCopyInAnyOrderWhoseExpertIdEqualsTheManifestId() throws Exception {
    CheckpointChunkSource src = CheckpointChunkSource.of(checkpoint, manifest);
    Path out = dir.resolve("out");
    Path done;
    try (ExpertAssembler a = ExpertAssembler.open(manifest, out, n -> true, 2 << 20)) {
      List<Cid> order = new ArrayList<>(a.chunks());
      Collections.shuffle(order, new Random(1));
      for (Cid c : order) {
        a.write(c, src.get(c));
      }
      assertThat(a.missingChunks()).isEmpty();
      done = a.commit();
    }
    assertThat(done).isEqualTo(out.toAbsolutePath());
    assertThat(Files.exists(out.resolve(ShardIndex.FILE_NAME))).isTrue();
    assertThat(expertId(out)).isEqualTo(manifest.id());
    try (Checkpoint back = Checkpoint.open(out)) {
      assertThat(back.files()).hasSizeGreaterThan(1);
      assertThat(back.readFloats("model.norm.weight"))
          .containsExactly(checkpoint.readFloats("model.norm.weight"));
    }
  }

  @Test
  void resumesFromWhatAnInterruptedRunLeftOnDisk() throws Exception {
    CheckpointChunkSource src = CheckpointChunkSource.of(checkpoint, manifest);
    Path out = dir.resolve("resumed");
    List<Cid> all;
    try (ExpertAssembler first = ExpertAssembler.open(manifest, out)) {
      all = new ArrayList<>(first.chunks());
      for (int i = 0; i < all.size(); i += 2) {
        first.write(all.get(i), src.get(all.get(i)));
      }
    } // the process "dies": files closed, work directory kept
    try (ExpertAssembler again = ExpertAssembler.open(manifest, out)) {
      assertThat(again.missingChunks()).hasSize(all.size());
      assertThat(again.recheck()).isEqualTo((all.size() + 1) / 2);
      for (Cid c : again.missingChunks()) {
        again.write(c, src.get(c));
      }
      again.commit();
    }
    assertThat(expertId(out)).isEqualTo(manifest.id());
  }

  @Test
  void laysOutOnlyTheChosenTensors() throws Exception {
    CheckpointChunkSource src = CheckpointChunkSource.of(checkpoint, manifest);
    Path out = dir.resolve("layer1");
    try (ExpertAssembler a =
        ExpertAssembler.open(
            manifest,
            out,
            n -> n.startsWith("model.layers.1."),
            CheckpointWriter.DEFAULT_SHARD_BYTES)) {
      Manifest.TensorEntry layer1 = manifest.tensors().get(2);
      assertThat(layer1.name()).isEqualTo("model.layers.1.mlp.weight");
      List<Cid> expected = new ArrayList<>(manifest.files().getFirst().chunks());
      expected.addAll(0, layer1.chunks());
      assertThat(a.chunks()).containsExactlyInAnyOrderElementsOf(expected);
      for (Cid c : a.chunks()) {
        a.write(c, src.get(c));
      }
      a.commit();
    }
    try (Checkpoint back = Checkpoint.open(out)) {
      assertThat(back.tensorNames()).containsExactly("model.layers.1.mlp.weight");
    }
  }

  @Test
  void refusesChunksOfTheWrongLengthOrNotInTheDownload() throws Exception {
    try (ExpertAssembler a = ExpertAssembler.open(manifest, dir.resolve("x"))) {
      Cid first = a.chunks().getFirst();
      assertThatThrownBy(() -> a.write(first, ByteBuffer.allocate(10)))
          .hasMessageContaining("chunk " + first + " is 10 bytes, the manifest says");
      Cid stranger = Cid.rawSha256(new byte[] {5});
      assertThatThrownBy(() -> a.write(stranger, ByteBuffer.allocate(1)))
          .hasMessageContaining("not part of this download");
      assertThatThrownBy(a::commit).hasMessageContaining("still missing");
      a.abandon();
      assertThat(a.workDirectory()).doesNotExist();
    }
  }

  @Test
  void checkpointThatDoesNotMatchTheManifestIsRejectedByName() throws Exception {
    Manifest other =
        new Manifest(
            manifest.files(),
            List.of(
                new Manifest.TensorEntry(
                    "model.missing",
                    DType.F32,
                    new long[] {1},
                    4,
                    List.of(Cid.rawSha256(new byte[4])))));
    assertThatThrownBy(() -> CheckpointChunkSource.of(checkpoint, other))
        .hasMessageContaining("tensor 'model.missing' of the manifest is missing");
  }
}
