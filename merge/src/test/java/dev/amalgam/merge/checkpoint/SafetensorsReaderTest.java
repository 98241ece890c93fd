package dev.amalgam.merge.checkpoint;

import static dev.amalgam.merge.checkpoint.HandBuiltSafetensors.floatsLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {
  @TempDir Path dir;

  @Test
  void readsTensorsFromAFileBuiltByteByByteFromTheSpec() throws Exception {
    byte[] data = new byte[16 + 4];
    System.arraycopy(floatsLE(1.5f, -2f, 3.25f, 0f), 0, data, 0, 16);
    // BF16 1.0 = 0x3F80 and F16 -2.0 = 0xC000, little-endian
    data[16] = (byte) 0x80;
    data[17] = 0x3F;
    data[18] = 0x00;
    data[19] = (byte) 0xC0;
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("model.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[16,18]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[18,20]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}",
            data);
    try (Checkpoint ckpt = Checkpoint.open(file)) {
      assertThat(ckpt.tensorNames()).containsExactly("b", "h", "w");
      assertThat(ckpt.readFloats("w")).containsExactly(1.5f, -2f, 3.25f, 0f);
      assertThat(ckpt.readFloats("b")).containsExactly(1f);
      assertThat(ckpt.readFloats("h")).containsExactly(-2f);
      assertThat(ckpt.info("w").shape()).containsExactly(2, 2);
      assertThat(ckpt.files().getFirst().metadata()).containsEntry("format", "pt");
    }
  }

  @Test
  void acceptsZeroElementTensors() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("e.safetensors"),
            "{\"empty\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[0,0]}}",
            new byte[0]);
    try (Checkpoint ckpt = Checkpoint.open(file)) {
      assertThat(ckpt.readFloats("empty")).isEmpty();
    }
  }

  @Test
  void rejectsTruncatedFileWithItsName() throws Exception {
    Path file = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Checkpoint.open(file))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("short.safetensors")
        .hasMessageContaining("truncated");
  }

  @Test
  void rejectsHeaderLengthBeyondTheFile() throws Exception {
    byte[] bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array();
    Path file = Files.write(dir.resolve("h.safetensors"), bytes);
    assertThatThrownBy(() -> Checkpoint.open(file))
        .hasMessageContaining("h.safetensors")
        .hasMessageContaining("header length 1000 runs past the end of the file");
  }

  @Test
  void rejectsEnormousHeaderBeforeAllocating() throws Exception {
    byte[] bytes =
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array();
    Path file = Files.write(dir.resolve("huge.safetensors"), bytes);
    assertThatThrownBy(() -> Checkpoint.open(file))
        .hasMessageContaining("exceeds the 100000000-byte limit");
  }

  @Test
  void rejectsOffsetsBeyondTheDataRegion() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("o.safetensors"),
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            new byte[4]);
    assertThatThrownBy(() -> Checkpoint.open(file))
        .hasMessageContaining("tensor 'w'")
        .hasMessageContaining("beyond the data region of 4 bytes");
  }

  @Test
  void rejectsOverlappingTensors() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("ov.safetensors"),
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12]);
    assertThatThrownBy(() -> Checkpoint.open(file)).hasMessageContaining("overlaps tensor 'a'");
  }

  @Test
  void rejectsHolesInTheDataRegion() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("hole.safetensors"),
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            new byte[8]);
    assertThatThrownBy(() -> Checkpoint.open(file)).hasMessageContaining("belong to no tensor");
  }

  @Test
  void rejectsTrailingBytes() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("t.safetensors"),
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            new byte[9]);
    assertThatThrownBy(() -> Checkpoint.open(file)).hasMessageContaining("5 trailing byte(s)");
  }

  @Test
  void rejectsUnknownDtype() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("d.safetensors"),
            "{\"a\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            new byte[4]);
    assertThatThrownBy(() -> Checkpoint.open(file)).hasMessageContaining("unknown dtype 'F12'");
  }

  @Test
  void rejectsShapeThatDisagreesWithByteLength() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("s.safetensors"),
            "{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,4]}}",
            new byte[4]);
    assertThatThrownBy(() -> Checkpoint.open(file))
        .hasMessageContaining("shape [3] of F16 = 6 bytes, but data_offsets span 4 bytes");
  }

  @Test
  void rejectsShapeWhoseSizeOverflows() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("big.safetensors"),
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}",
            new byte[4]);
    assertThatThrownBy(() -> Checkpoint.open(file)).hasMessageContaining("overflows");
  }

  @Test
  void rejectsInvalidJsonWithItsPosition() throws Exception {
    Path file =
        HandBuiltSafetensors.write(dir.resolve("j.safetensors"), "{\"a\": [1, }", new byte[0]);
    assertThatThrownBy(() -> Checkpoint.open(file))
        .hasMessageContaining("j.safetensors: header is not valid JSON");
  }

  @Test
  void rejectsNonUtf8Header() throws Exception {
    byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
    Path file =
        Files.write(dir.resolve("u.safetensors"), HandBuiltSafetensors.bytes(header, new byte[0]));
    assertThatThrownBy(() -> Checkpoint.open(file)).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void rejectsDuplicateTensorNames() throws Exception {
    Path file =
        HandBuiltSafetensors.write(
            dir.resolve("dup.safetensors"),
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            new byte[8]);
    assertThatThrownBy(() -> Checkpoint.open(file)).hasMessageContaining("Duplicate field 'a'");
  }

  @Test
  void rejectsShardNamedInIndexButMissing() throws Exception {
    HandBuiltSafetensors.write(
        dir.resolve("model-00001-of-00002.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        new byte[4]);
    Files.writeString(
        dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .hasMessageContaining("model.safetensors.index.json")
        .hasMessageContaining("names shard 'model-00002-of-00002.safetensors', which is missing");
  }

  @Test
  void rejectsIndexThatMapsATensorToTheWrongShard() throws Exception {
    HandBuiltSafetensors.write(
        dir.resolve("s1.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        new byte[4]);
    Files.writeString(
        dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\":{\"zz\":\"s1.safetensors\"}}");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .hasMessageContaining("which does not contain it");
  }

  @Test
  void rejectsIndexShardNamesThatEscapeTheDirectory() throws Exception {
    Files.writeString(
        dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\":{\"a\":\"../evil.safetensors\"}}");
    assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("invalid shard");
  }

  @Test
  void rejectsConfigWithoutRequiredKeys() throws Exception {
    HandBuiltSafetensors.write(
        dir.resolve("model.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        new byte[4]);
    Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"hidden_size\":8}");
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .hasMessageContaining("config.json")
        .hasMessageContaining("missing required key 'intermediate_size' for model_type llama");
  }

  @Test
  void readsGenericConfigOfUnknownArchitecture() throws Exception {
    HandBuiltSafetensors.write(
        dir.resolve("model.safetensors"),
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        floatsLE(7f));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"gpt_neox\"}");
    try (Checkpoint ckpt = Checkpoint.open(dir)) {
      assertThat(ckpt.config()).get().extracting(HfConfig::isKnownDecoder).isEqualTo(false);
      assertThat(ckpt.readFloats("a")).containsExactly(7f);
    }
  }

  @Test
  void rejectsDirectoryWithoutSafetensors() {
    assertThatThrownBy(() -> Checkpoint.open(dir))
        .hasMessageContaining("contains no .safetensors file");
  }
}
