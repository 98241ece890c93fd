package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summarize, inspect and fuse through the CLI on the zoo's base model and 6 examples. */
class FusionVerbsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String BASE = Path.of("..", "zoo", "models", "base").toString();

  @TempDir static Path dir;
  static Path data;
  static Path summary;
  static CliRun summarize;

  @BeforeAll
  static void summarize() {
    data = dir.resolve("data.jsonl");
    assertThat(
            CliRun.of(
                    "tasks", "generate", "--task", "arithmetic", "--n", "6", "-o", data.toString())
                .exitCode())
        .isZero();
    summary = dir.resolve("summary");
    summarize =
        CliRun.of(
            "summarize", BASE, "--data", data.toString(), "-o", summary.toString(), "--top-k", "4");
  }

  @Test
  void summarizePrintsTheIdAndTheBytesPerToken() {
    assertThat(summarize.exitCode()).as(summarize.err()).isZero();
    assertThat(summarize.out())
        .contains("summary id      bagaaiera")
        .contains("bytes per response token");
  }

  @Test
  void inspectRecognizesASummary() throws Exception {
    CliRun run = CliRun.of("inspect", summary.toString(), "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = JSON.readTree(run.out());
    assertThat(json.path("kind").asText()).isEqualTo("distribution summary");
    assertThat(json.path("top_k").asInt()).isEqualTo(4);
    assertThat(json.path("sequences").asInt()).isEqualTo(6);
    assertThat(run.out())
        .contains(summarize.out().lines().findFirst().orElseThrow().split("\\s+")[2]);
  }

  @Test
  void fuseWritesACheckpointWithProvenance() throws Exception {
    Path out = dir.resolve("fused");
    CliRun run =
        CliRun.of(
            "fuse",
            "--target",
            BASE,
            "--summary",
            summary.toString(),
            "--data",
            data.toString(),
            "-o",
            out.toString(),
            "--fusion",
            "minCE",
            "--batch",
            "3");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("saved").contains("2 steps");
    assertThat(
            JSON.readTree(out.resolve("amalgam-fuse.json").toFile())
                .path("hyperparameters")
                .path("fusion")
                .asText())
        .isEqualTo("minCE");
  }

  @Test
  void fuseRejectsSummariesOfOtherDataInOneLine() throws Exception {
    Path other = dir.resolve("other.jsonl");
    CliRun.of(
        "tasks",
        "generate",
        "--task",
        "arithmetic",
        "--n",
        "6",
        "--seed",
        "2",
        "-o",
        other.toString());
    Path out = dir.resolve("never");
    CliRun run =
        CliRun.of(
            "fuse",
            "--target",
            BASE,
            "--summary",
            summary.toString(),
            "--data",
            other.toString(),
            "-o",
            out.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).startsWith("amalgam fuse: ").contains("summary is of dataset");
    assertThat(out).doesNotExist();
  }

  @Test
  void fuseRejectsAnUnknownFusionRule() {
    CliRun run =
        CliRun.of(
            "fuse",
            "--target",
            BASE,
            "--summary",
            summary.toString(),
            "--data",
            data.toString(),
            "-o",
            dir.resolve("x").toString(),
            "--fusion",
            "maxCE");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("fusion rule 'maxCE' is not one of minCE, avgCE");
  }
}
