package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchCommandTest {
  @TempDir Path dir;

  private Path recipe(String text) throws Exception {
    Path file = dir.resolve("recipes/recipe.yml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  /** A recipe of {@code method} over three tiny models: a base and two experts, weight 1/2. */
  private Path recipeOverTinyModels(String method) throws Exception {
    Path models = Files.createDirectories(dir.resolve("recipes/models"));
    TinyModels.variant(models.resolve("base"), 1);
    TinyModels.variant(models.resolve("a"), 2);
    TinyModels.variant(models.resolve("b"), 3);
    return recipe(
        "merge_method: "
            + method
            + """

            base_model: models/base
            models:
              - model: models/a
                parameters: {weight: 0.5}
              - model: models/b
                parameters: {weight: 0.5}
            """);
  }

  @Test
  void searchWritesABestRecipeThatMergeRuns() throws Exception {
    Path recipe = recipeOverTinyModels("ties");
    Path best = dir.resolve("out/BEST.yml");
    CliRun run =
        CliRun.of(
            "search",
            recipe.toString(),
            "--task",
            "arithmetic",
            "-o",
            best.toString(),
            "--budget",
            "3",
            "--dev-n",
            "4");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("evaluations/min").contains("wrote " + best);
    assertThat(run.err()).contains("eval 3/3");
    assertThat(Files.readString(best)).contains("model: ../recipes/models/a");
    assertThat(Files.readAllLines(dir.resolve("out/BEST.search.jsonl"))).hasSizeGreaterThan(2);
    CliRun merge = CliRun.of("merge", best.toString(), "-o", dir.resolve("merged").toString());
    assertThat(merge.exitCode()).as(merge.err()).isZero();
  }

  @Test
  void interruptedSearchStillWritesTheBestRecipeSoFar() throws Exception {
    Path recipe = recipeOverTinyModels("task_arithmetic");
    Path best = dir.resolve("out/BEST.yml");
    try (AmalgamProcess search =
        AmalgamProcess.start(
            "search",
            "search",
            recipe.toString(),
            "--task",
            "arithmetic",
            "-o",
            best.toString(),
            "--budget",
            "100000",
            "--dev-n",
            "4")) {
      search.awaitLine(l -> l.startsWith("eval 3/"), Duration.ofSeconds(120), "'eval 3/…'");
      assertThat(best).doesNotExist();
      search.interrupt();
      search.awaitLine(
          l -> l.startsWith("interrupted: wrote the best recipe so far"),
          Duration.ofSeconds(5),
          "'interrupted: wrote the best recipe so far…'");
    }
    assertThat(Files.readString(best)).contains("merge_method: task_arithmetic");
    assertThat(Files.readAllLines(dir.resolve("out/BEST.search.jsonl"))).hasSizeGreaterThan(2);
    CliRun merge = CliRun.of("merge", best.toString(), "-o", dir.resolve("merged").toString());
    assertThat(merge.exitCode()).as(merge.err()).isZero();
  }

  @Test
  void zeroBudgetIsOneLineBeforeAnyWork() throws Exception {
    Path recipe = recipe("merge_method: ties\nbase_model: x\nmodels:\n  - model: y\n");
    CliRun run =
        CliRun.of(
            "search", recipe.toString(), "--task", "arithmetic", "-o", "b.yml", "--budget", "0");
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).contains("--budget must be at least 1");
  }

  @Test
  void methodWithNothingToSearchIsRejectedBeforeModelsAreOpened() throws Exception {
    Path recipe = recipe("merge_method: passthrough\nmodels:\n  - model: missing\n");
    CliRun run = CliRun.of("search", recipe.toString(), "--task", "arithmetic", "-o", "b.yml");
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).contains("recipe.yml:1: merge_method passthrough has nothing to search");
  }
}
