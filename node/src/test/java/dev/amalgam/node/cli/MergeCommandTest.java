package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeCommandTest {
  @TempDir Path dir;

  private Path recipe(String method) throws Exception {
    String base = InspectCommandTest.EXAMPLE.toAbsolutePath().toString();
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    if (!Files.exists(a)) {
      TinyModels.variant(a, 1);
      TinyModels.variant(b, 2);
    }
    return Files.writeString(
        dir.resolve(method + ".yml"),
        """
        merge_method: %s
        base_model: %s
        models:
          - model: %s
            parameters: {weight: 0.6, density: 0.5}
          - model: %s
            parameters: {weight: [0.2, 0.8], density: 0.9}
        parameters: {normalize: true}
        seed: 3
        """
            .formatted(method, base, a, b));
  }

  @Test
  void mergeWritesACheckpointWhoseIdMatchesTheReportedOneForAnyThreadCount() throws Exception {
    Path recipe = recipe("dare_ties");
    CliRun one =
        CliRun.of(
            "merge", recipe.toString(), "-o", dir.resolve("one").toString(), "--threads", "1");
    CliRun two =
        CliRun.of(
            "merge",
            recipe.toString(),
            "-o",
            dir.resolve("two").toString(),
            "--threads",
            "2",
            "--json");
    assertThat(one.exitCode()).as(one.err()).isZero();
    assertThat(two.exitCode()).as(two.err()).isZero();
    String id = CliRun.of("fingerprint", dir.resolve("one").toString()).out().strip();
    assertThat(one.out()).contains("output id " + id);
    assertThat(two.out()).contains("\"output_id\" : \"" + id + "\"");
    assertThat(dir.resolve("one/amalgam-merge.json")).exists();
    assertThat(CliRun.of("inspect", dir.resolve("two").toString()).out())
        .contains("expert id     " + id);
  }

  @Test
  void existingOutputIsRefusedBeforeAnyWork() throws Exception {
    Files.createDirectories(dir.resolve("taken"));
    CliRun run =
        CliRun.of("merge", recipe("ties").toString(), "-o", dir.resolve("taken").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err()).contains("already exists").contains("--force");
  }

  @Test
  void badRecipeFailsWithOneLineNamingTheRecipeLine() throws Exception {
    Path bad =
        Files.writeString(dir.resolve("bad.yml"), "merge_method: tiez\nmodels:\n  - model: x\n");
    CliRun run = CliRun.of("merge", bad.toString(), "-o", dir.resolve("o").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).contains("bad.yml:1").contains("did you mean 'ties'");
  }

  @Test
  void unknownModelIsReportedWithWhereItWasLookedFor() throws Exception {
    Path r =
        Files.writeString(
            dir.resolve("r.yml"),
            "merge_method: linear\nmodels:\n  - model: ./nowhere\n    parameters: {weight: 1}\n");
    CliRun run = CliRun.of("merge", r.toString(), "-o", dir.resolve("o").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err()).contains("model './nowhere' is neither a local checkpoint");
  }

  @Test
  void verifyConfirmsAnUntouchedMergeAndFlagsATamperedOne() throws Exception {
    Path out = dir.resolve("merged");
    assertThat(CliRun.of("merge", recipe("ties").toString(), "-o", out.toString()).exitCode())
        .isZero();
    CliRun ok = CliRun.of("verify", out.toString());
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out()).startsWith("match");

    Path shard = out.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(shard);
    bytes[bytes.length - 1] ^= 1;
    Files.write(shard, bytes);
    CliRun bad = CliRun.of("verify", out.toString(), "--json");
    assertThat(bad.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(bad.out()).contains("\"matches\" : false").contains("differing_tensors");
  }
}
