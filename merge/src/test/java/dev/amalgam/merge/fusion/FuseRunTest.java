package dev.amalgam.merge.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.fingerprint.FamilyDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Summarize a family-B model, fuse into a family-A model: tiny random models, 12 examples. */
class FuseRunTest {
  @TempDir static Path temp;
  static Path target;
  static Path source;
  static Path data;
  static Path summary;

  private static final FuseOptions OPTIONS = new FuseOptions(FusionRule.AVG_CE, 0.9, 1, 1e-3, 4, 1);
  private static final FuseRun.Listener QUIET = (result, total) -> {};

  @BeforeAll
  static void summarizeTheSource() throws IOException {
    target = FusionFixtures.tinyCheckpoint(temp.resolve("target"), "family-a", 161, 1);
    source = FusionFixtures.tinyCheckpoint(temp.resolve("source"), "family-b", 262, 2);
    data = FusionFixtures.data(temp.resolve("data.jsonl"), 12, 5);
    summary = temp.resolve("summary");
    Summarizer.run(source, data, summary, 10, done -> {});
  }

  @Test
  void summaryDescribesTheDataAndTheSourceAndMeetsTheSizeTarget() throws IOException {
    Summary s = Summary.open(summary);
    assertThat(s.manifest().dataset()).isEqualTo(FusionData.read(data).id());
    assertThat(s.manifest().sequences()).isEqualTo(12);
    assertThat(s.manifest().topK()).isEqualTo(10);
    assertThat(s.vocabulary()[s.manifest().eosId()]).isEqualTo("</s>");
    double perToken = (double) s.manifest().chunkBytes() / s.manifest().responseTokens();
    System.out.printf("family-B summary: %.1f bytes per response token at k=10%n", perToken);
    assertThat(perToken).isLessThan(40);
    SequenceSummary first = s.sequences().getFirst();
    // Offsets index the response text; the last token is eos at its end.
    String response = FusionData.read(data).examples().getFirst().response();
    assertThat(first.ends()[first.size() - 1]).isEqualTo(response.length());
    assertThat(first.totalNll()).isPositive();
  }

  @Test
  void fusesIntoACheckpointOfTheTargetFamilyWithProvenance() throws IOException {
    Path out = temp.resolve("fused");
    FuseRun.Result result = FuseRun.run(target, List.of(summary), data, out, OPTIONS, QUIET);
    assertThat(result.steps()).isEqualTo(3);
    assertThat(result.plan().projections().getFirst().oneToOneShare()).isBetween(0.3, 1.0);
    try (Checkpoint fused = Checkpoint.open(out);
        Checkpoint original = Checkpoint.open(target)) {
      assertThat(FamilyDescriptor.familyId(fused)).isEqualTo(FamilyDescriptor.familyId(original));
    }
    JsonNode provenance = new ObjectMapper().readTree(out.resolve(FuseRun.PROVENANCE).toFile());
    assertThat(provenance.path("summaries").get(0).path("id").asText())
        .isEqualTo(Summary.open(summary).id().toString());
    assertThat(provenance.path("dataset").path("id").asText())
        .isEqualTo(FusionData.read(data).id().toString());
    assertThat(provenance.path("hyperparameters").path("fusion").asText()).isEqualTo("avgCE");
    assertThat(provenance.path("hyperparameters").path("lambda").asDouble()).isEqualTo(0.9);
    assertThat(
            new ObjectMapper()
                .readTree(out.resolve("config.json").toFile())
                .path("eos_token_id")
                .asInt())
        .isEqualTo(2);
  }

  @Test
  void rejectsASummaryOfOtherDataBeforeTraining() throws IOException {
    Path other = FusionFixtures.data(temp.resolve("other.jsonl"), 12, 99);
    Path out = temp.resolve("never-1");
    assertThatThrownBy(() -> FuseRun.run(target, List.of(summary), other, out, OPTIONS, QUIET))
        .hasMessageContaining("summary is of dataset")
        .hasMessageContaining("other.jsonl has id");
    assertThat(out).doesNotExist();
  }

  @Test
  void rejectsACorruptSummaryBeforeTraining() throws IOException {
    Path copy = copyOf(summary, "corrupt");
    Path block =
        copy.resolve("blocks")
            .resolve(Summary.readManifest(copy).chunks().getFirst().cid().toString());
    byte[] bytes = Files.readAllBytes(block);
    Files.write(block, Arrays.copyOf(bytes, bytes.length - 1));
    Path out = temp.resolve("never-2");
    assertThatThrownBy(() -> FuseRun.run(target, List.of(copy), data, out, OPTIONS, QUIET))
        .hasMessageContaining("does not match its CID");
    assertThat(out).doesNotExist();
  }

  @Test
  void rejectsSummariesWithDifferentTopK() throws IOException {
    Path k5 = temp.resolve("summary-k5");
    if (!Files.exists(k5)) {
      Summarizer.run(source, data, k5, 5, done -> {});
    }
    Path out = temp.resolve("never-3");
    assertThatThrownBy(() -> FuseRun.run(target, List.of(summary, k5), data, out, OPTIONS, QUIET))
        .hasMessageContaining("summaries disagree on top-k")
        .hasMessageContaining("k = 10")
        .hasMessageContaining("k = 5");
    assertThat(out).doesNotExist();
  }

  @Test
  void rejectsAnEmptyResponseNamingTheExample() throws IOException {
    Path bad = temp.resolve("empty.jsonl");
    List<String> lines = Files.readAllLines(data);
    lines.set(2, "{\"instruction\":\"What is 1 + 1?\",\"response\":\"\",\"answer\":\"2\"}");
    Files.write(bad, lines);
    assertThatThrownBy(() -> Summarizer.run(source, bad, temp.resolve("never-4"), 10, d -> {}))
        .hasMessageContaining("example 3 has an empty response");
    assertThatThrownBy(
            () ->
                FuseRun.run(target, List.of(summary), bad, temp.resolve("never-5"), OPTIONS, QUIET))
        .hasMessageContaining("example 3 has an empty response");
  }

  private static Path copyOf(Path dir, String name) throws IOException {
    Path copy = temp.resolve(name);
    Files.createDirectories(copy.resolve("blocks"));
    Files.copy(dir.resolve("summary.json"), copy.resolve("summary.json"));
    try (var blocks = Files.list(dir.resolve("blocks"))) {
      for (Path b : blocks.toList()) {
        Files.copy(b, copy.resolve("blocks").resolve(b.getFileName()));
      }
    }
    return copy;
  }
}
