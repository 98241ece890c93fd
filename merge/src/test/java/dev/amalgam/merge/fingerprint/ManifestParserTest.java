package dev.amalgam.merge.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
  private static final Cid A = Cid.rawSha256(new byte[] {1});
  private static final Cid B = Cid.rawSha256(new byte[] {2});
  private static final Manifest MANIFEST =
      new Manifest(
          List.of(new Manifest.FileEntry("config.json", 10, List.of(A))),
          List.of(
              new Manifest.TensorEntry(
                  "w",
                  DType.BF16,
                  new long[] {Manifest.CHUNK_SIZE, 1},
                  2L * Manifest.CHUNK_SIZE,
                  List.of(A, B)),
              new Manifest.TensorEntry("e", DType.F32, new long[] {0, 5}, 0, List.of())));

  private static String text() {
    return new String(MANIFEST.canonicalBytes(), StandardCharsets.UTF_8);
  }

  private static void rejects(String json, String... fragments) {
    assertThatThrownBy(() -> ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8), "m.json"))
        .isInstanceOf(ManifestException.class)
        .hasMessageStartingWith("manifest m.json")
        .hasMessageContainingAll(fragments);
  }

  @Test
  void parsesTheCanonicalEncodingBackToTheSameManifestAndId() throws Exception {
    Manifest back = ManifestParser.parse(MANIFEST.canonicalBytes(), MANIFEST.id());
    assertThat(back.canonicalBytes()).isEqualTo(MANIFEST.canonicalBytes());
    assertThat(back.id()).isEqualTo(MANIFEST.id());
    assertThat(back.tensors().get(1).shape()).containsExactly(Manifest.CHUNK_SIZE, 1);
  }

  @Test
  void rejectsDocumentThatDoesNotHashToTheExpectedId() {
    Cid other = Cid.v1(Manifest.JSON_CODEC, Multihash.sha256(new byte[] {0}));
    assertThatThrownBy(() -> ManifestParser.parse(MANIFEST.canonicalBytes(), other))
        .hasMessageContaining("hashes to " + MANIFEST.id());
  }

  @Test
  void rejectsInvalidJsonWithByteOffset() {
    rejects(text().substring(0, 40), "not valid JSON at byte");
    rejects(text().replace("{\"chunk_size\"", "{\"version\":1,\"chunk_size\""), "not valid JSON");
  }

  @Test
  void rejectsWrongFormatVersionAndChunkSize() {
    rejects(text().replace("amalgam-manifest", "other"), "format is 'other'");
    rejects(text().replace("\"version\":1", "\"version\":2"), "version is 2");
    rejects(text().replace("1048576,\"files\"", "65536,\"files\""), "chunk_size is 65536");
  }

  @Test
  void rejectsMissingAndUnknownFields() {
    rejects(text().replace(",\"size\":10", ""), "files[0].size is missing");
    rejects(text().replace("\"name\":\"e\",", "\"name\":\"e\",\"extra\":1,"), "tensors[0].extra");
  }

  @Test
  void rejectsSideFileOutsideTheKnownListSoNoPathCanEscape() {
    rejects(text().replace("config.json", "../../etc/passwd"), "files[0].name", "is not one of");
  }

  @Test
  void rejectsSizeThatDisagreesWithShapeOrChunkCount() {
    rejects(
        text().replace("\"shape\":[0,5]", "\"shape\":[1,5]"), "tensors[0].size is 0", "give 20");
    rejects(text().replace("\"size\":10", "\"size\":1048577"), "files[0].chunks has 1 chunk(s)");
  }

  @Test
  void rejectsChunkThatIsNotARawSha256Cid() {
    Cid json = Cid.v1(Manifest.JSON_CODEC, Multihash.sha256(new byte[] {1}));
    rejects(
        text().replaceFirst(A.toString(), json.toString()),
        "files[0].chunks[0]",
        "not a CIDv1 raw");
    rejects(text().replaceFirst(A.toString(), "bnotacid"), "files[0].chunks[0] is not a CID");
  }

  @Test
  void rejectsUnknownDtypeAndNegativeDimension() {
    rejects(text().replace("\"BF16\"", "\"Q4\""), "'Q4' is not a safetensors dtype");
    rejects(text().replace("[0,5]", "[-1,5]"), "tensors[0].shape[0] is negative");
  }

  @Test
  void rejectsNonCanonicalBytes() {
    rejects(text().replace(",\"format\"", ", \"format\""), "not in canonical form", "byte");
    rejects(text() + "\n", "not in canonical form");
  }
}
