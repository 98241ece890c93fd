package dev.amalgam.merge.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.multiformats.Cid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintTest {
  @TempDir Path dir;

  private static final String CONFIG =
      "{\"model_type\":\"llama\",\"hidden_size\":4,\"intermediate_size\":8,\"num_hidden_layers\":1,"
          + "\"num_attention_heads\":2,\"vocab_size\":3}";

  /** Tensor "big" spans 2.5 MiB of F32, so it has three chunks; "small" has one. */
  private static final List<TensorInfo> PLAN =
      List.of(TensorInfo.of("big", DType.F32, 655360), TensorInfo.of("small", DType.F32, 3));

  private static float[] values(TensorInfo t) {
    float[] v = new float[(int) t.elementCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(i + t.name().length());
    }
    return v;
  }

  private Path write(String name, long shardBytes) throws Exception {
    try (CheckpointWriter w = CheckpointWriter.create(dir.resolve(name), PLAN, shardBytes)) {
      for (TensorInfo t : PLAN) {
        w.writeFloats(t.name(), values(t));
      }
      w.writeFile("config.json", CONFIG.getBytes(StandardCharsets.UTF_8));
      return w.commit(false);
    }
  }

  /** The same tensors laid out by hand in the opposite order in the data region. */
  private Path writeByHand(String name) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    float[] small = values(PLAN.get(1));
    float[] big = values(PLAN.get(0));
    String header =
        "{\"small\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
            + "\"big\":{\"dtype\":\"F32\",\"shape\":[655360],\"data_offsets\":[12,2621452]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf =
        ByteBuffer.allocate(8 + h.length + 12 + 2621440).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    for (float f : small) {
      buf.putFloat(f);
    }
    for (float f : big) {
      buf.putFloat(f);
    }
    Files.write(out.resolve("model.safetensors"), buf.array());
    Files.writeString(out.resolve("config.json"), CONFIG);
    return out;
  }

  private static Fingerprint fingerprint(Path p, int threads) throws Exception {
    try (Checkpoint ckpt = Checkpoint.open(p)) {
      return new Fingerprinter(threads).fingerprint(ckpt);
    }
  }

  @Test
  void shardedAndUnshardedCopiesOfTheSameTensorsHaveTheSameIds() throws Exception {
    Fingerprint single = fingerprint(write("single", 1L << 30), 2);
    Fingerprint sharded = fingerprint(write("sharded", 1 << 20), 2);
    Fingerprint byHand = fingerprint(writeByHand("hand"), 1);
    assertThat(sharded.expertId()).isEqualTo(single.expertId());
    assertThat(byHand.expertId()).isEqualTo(single.expertId());
    assertThat(byHand.familyId()).isEqualTo(single.familyId());
  }

  @Test
  void chunksTensorsAtOneMebibyte() throws Exception {
    Manifest m = fingerprint(write("m", 1L << 30), 2).manifest();
    Manifest.TensorEntry big = m.tensors().getFirst();
    assertThat(big.name()).isEqualTo("big");
    assertThat(big.chunks()).hasSize(3);
    try (Checkpoint ckpt = Checkpoint.open(dir.resolve("m"))) {
      byte[] all = ckpt.bytes("big").toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      byte[] last = java.util.Arrays.copyOfRange(all, 2 << 20, all.length);
      assertThat(big.chunks().get(2)).isEqualTo(Cid.rawSha256(last));
      assertThat(big.chunks().get(2).codec()).isEqualTo(Cid.RAW);
    }
  }

  @Test
  void expertIdIsTheSameForAnyThreadCount() throws Exception {
    Path p = write("t", 1L << 30);
    assertThat(fingerprint(p, 1).expertId()).isEqualTo(fingerprint(p, 4).expertId());
  }

  @Test
  void changingOneValueChangesTheExpertIdButNotTheFamily() throws Exception {
    Path a = write("a", 1L << 30);
    Path b;
    try (CheckpointWriter w = CheckpointWriter.create(dir.resolve("b"), PLAN, 1L << 30)) {
      float[] big = values(PLAN.get(0));
      big[12345] += 1f;
      w.writeFloats("big", big);
      w.writeFloats("small", values(PLAN.get(1)));
      w.writeFile("config.json", CONFIG.getBytes(StandardCharsets.UTF_8));
      b = w.commit(false);
    }
    Fingerprint fa = fingerprint(a, 2);
    Fingerprint fb = fingerprint(b, 2);
    assertThat(fb.expertId()).isNotEqualTo(fa.expertId());
    assertThat(fb.familyId()).isEqualTo(fa.familyId());
  }

  @Test
  void dtypeDoesNotChangeTheFamilyButShapeDoes() throws Exception {
    Path f32 = write("f32", 1L << 30);
    Path bf16;
    List<TensorInfo> bfPlan =
        List.of(TensorInfo.of("big", DType.BF16, 655360), TensorInfo.of("small", DType.BF16, 3));
    try (CheckpointWriter w = CheckpointWriter.create(dir.resolve("bf16"), bfPlan, 1L << 30)) {
      w.writeFloats("big", values(PLAN.get(0)));
      w.writeFloats("small", values(PLAN.get(1)));
      w.writeFile("config.json", CONFIG.getBytes(StandardCharsets.UTF_8));
      bf16 = w.commit(false);
    }
    assertThat(fingerprint(bf16, 2).familyId()).isEqualTo(fingerprint(f32, 2).familyId());
  }

  @Test
  void manifestEncodingIsCanonical() {
    Manifest m =
        new Manifest(
            List.of(
                new Manifest.FileEntry("config.json", 2, List.of(Cid.rawSha256("{}".getBytes())))),
            List.of(
                new Manifest.TensorEntry(
                    "w", DType.F32, new long[] {1}, 4, List.of(Cid.rawSha256(new byte[4])))));
    String text = new String(m.canonicalBytes(), StandardCharsets.UTF_8);
    assertThat(text)
        .isEqualTo(
            "{\"chunk_size\":1048576,\"files\":[{\"chunks\":[\""
                + Cid.rawSha256("{}".getBytes())
                + "\"],\"name\":\"config.json\",\"size\":2}],\"format\":\"amalgam-manifest\","
                + "\"tensors\":[{\"chunks\":[\""
                + Cid.rawSha256(new byte[4])
                + "\"],\"dtype\":\"F32\",\"name\":\"w\",\"shape\":[1],\"size\":4}],\"version\":1}");
    assertThat(m.id().toString()).startsWith("bagaaiera");
  }

  @Test
  void tokenizerIdDependsOnVocabularyOnly() throws Exception {
    Path t1 = dir.resolve("t1.json");
    Path t2 = dir.resolve("t2.json");
    Path t3 = dir.resolve("t3.json");
    Files.writeString(
        t1, "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":1}},\"added_tokens\":[]}");
    Files.writeString(
        t2,
        "{\n \"added_tokens\": [],\n \"model\": {\"vocab\": {\"b\": 1, \"a\": 0}, \"type\": \"WordLevel\"}\n}");
    Files.writeString(
        t3, "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":1,\"b\":0}},\"added_tokens\":[]}");
    assertThat(TokenizerDescriptor.tokenizerId(t2)).isEqualTo(TokenizerDescriptor.tokenizerId(t1));
    assertThat(TokenizerDescriptor.tokenizerId(t3))
        .isNotEqualTo(TokenizerDescriptor.tokenizerId(t1));
  }
}
