package dev.amalgam.merge.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchRunTest {
  @TempDir static Path dir;
  static Map<String, Checkpoint> inputs;
  static TextTokenizer tokenizer;
  static TaskEncoding encoding;

  @BeforeAll
  static void models() throws IOException {
    SearchFixtures.models(dir);
    inputs = SearchFixtures.open(dir);
    tokenizer = TextTokenizer.load(SearchFixtures.tokenizer());
    encoding = SearchFixtures.encoding(tokenizer);
  }

  @AfterAll
  static void close() {
    inputs.values().forEach(Checkpoint::close);
    tokenizer.close();
  }

  private static SearchRun.Settings settings(int budget) {
    return new SearchRun.Settings(budget, 2, false, 3, "loglik", 16, 8);
  }

  private static List<SearchTask> tasks(int testN) throws IOException {
    return List.of(
        SearchTask.resolve("arithmetic", 6, testN, 1),
        SearchTask.resolve("relational:2", 6, testN, 1));
  }

  @Test
  void tinySearchWritesTheBestRecipeLogAndReport(@TempDir Path out) throws IOException {
    Recipe recipe = RecipeParser.parse(SearchFixtures.recipe("ties", ""), "tiny.yml");
    try (SearchRun run =
            SearchRun.prepare(recipe, inputs, Map.of(), tasks(3), encoding, settings(6));
        SearchLog log = new SearchLog(out.resolve("search.jsonl"), run.space())) {
      run.evaluator().onEvaluation(e -> log.append("search", e));
      LayerwiseSearch.Outcome outcome = run.search();
      assertThat(outcome).isEqualTo(LayerwiseSearch.Outcome.BUDGET_SPENT);
      List<Evaluation> history = run.evaluator().history();
      assertThat(run.evaluator().computed()).isEqualTo(6);
      assertThat(history.get(0).genome()).containsExactly(run.space().start());
      Evaluation best = run.evaluator().best();
      assertThat(history)
          .allSatisfy(e -> assertThat(e.fitness()).isLessThanOrEqualTo(best.fitness()));
      assertThat(best.score().perFamily()).containsOnlyKeys("arithmetic", "relational");
      assertThat(run.evaluator().evaluationsPerMinute()).isPositive();

      Path bestFile = out.resolve("BEST.yml");
      assertThat(run.writeBest(bestFile)).isTrue();
      Recipe written = RecipeParser.parse(bestFile);
      assertThat(written.method().name()).isEqualTo("ties");
      assertThat(Files.readString(bestFile))
          .startsWith("# Found by 'amalgam search' from tiny.yml");
      assertThat(Files.readAllLines(out.resolve("search.jsonl"))).hasSize(history.size());

      run.report(out.resolve("report"), List.of("tiny"));
      assertThat(out.resolve("report/fitness.png")).isNotEmptyFile();
      assertThat(out.resolve("report/weights.png")).isNotEmptyFile();
      assertThat(out.resolve("report/density.png")).isNotEmptyFile();
      String md = Files.readString(out.resolve("report/report.md"));
      assertThat(md)
          .contains("best uniform (grid)")
          .contains("| base (base) |")
          .contains("| expert expert-a |")
          .contains("| layer-wise search |")
          .contains("Additive comparison");
    }
  }

  @Test
  void searchIsReproducibleForTheSameSeed() throws IOException {
    Recipe recipe = RecipeParser.parse(SearchFixtures.recipe("task_arithmetic", ""), "tiny.yml");
    double[][] bests = new double[2][];
    for (int i = 0; i < 2; i++) {
      try (SearchRun run =
          SearchRun.prepare(recipe, inputs, Map.of(), tasks(0), encoding, settings(4))) {
        run.search();
        bests[i] = run.evaluator().history().get(3).genome();
      }
    }
    assertThat(bests[1]).containsExactly(bests[0]);
  }

  @Test
  void accuracyFitnessScoresGreedyAnswersOnDev() throws IOException {
    Recipe recipe = RecipeParser.parse(SearchFixtures.recipe("task_arithmetic", ""), "tiny.yml");
    SearchRun.Settings accuracy = new SearchRun.Settings(2, 4, false, 3, "accuracy", 8, 4);
    try (SearchRun run =
        SearchRun.prepare(recipe, inputs, Map.of(), tasks(0), encoding, accuracy)) {
      run.search();
      assertThat(run.evaluator().fitness().name()).isEqualTo("accuracy");
      assertThat(run.evaluator().history())
          .allSatisfy(e -> assertThat(e.fitness()).isBetween(0.0, 1.0));
    }
  }

  @Test
  void rejectsZeroBudgetBeforeAnyWork() {
    Recipe recipe = RecipeParser.parse(SearchFixtures.recipe("ties", ""), "tiny.yml");
    assertThatThrownBy(
            () -> SearchRun.prepare(recipe, inputs, Map.of(), tasks(0), encoding, settings(0)))
        .hasMessage("--budget must be at least 1 evaluation, got 0");
  }

  @Test
  void rejectsMethodWithNothingToSearch() {
    Recipe recipe =
        RecipeParser.parse(
            """
            merge_method: model_stock
            base_model: base
            models:
              - model: expert-a
              - model: expert-b
            """,
            "stock.yml");
    assertThatThrownBy(
            () -> SearchRun.prepare(recipe, inputs, Map.of(), tasks(0), encoding, settings(5)))
        .hasMessageContaining("stock.yml:1: merge_method model_stock has nothing to search");
  }

  @Test
  void rejectsTaskFamilyWithoutDevData(@TempDir Path tasks) throws IOException {
    Files.createDirectories(tasks.resolve("mine"));
    Files.writeString(tasks.resolve("mine/test.jsonl"), "");
    assertThatThrownBy(() -> SearchTask.resolve(tasks.resolve("mine").toString(), 10, 0, 1))
        .hasMessageContaining("task family has no dev data")
        .hasMessageContaining("dev.jsonl is missing");
    Files.writeString(tasks.resolve("mine/dev.jsonl"), "\n");
    assertThatThrownBy(() -> SearchTask.resolve(tasks.resolve("mine").toString(), 10, 0, 1))
        .hasMessageContaining("dev.jsonl is empty");
    assertThatThrownBy(() -> SearchTask.resolve("geometry", 10, 0, 1))
        .hasMessageContaining(
            "--task geometry: no such task family (arithmetic, relational, composite)");
    assertThatThrownBy(() -> SearchTask.resolve("arithmetic:-1", 10, 0, 1))
        .hasMessageContaining("must be a positive number");
  }

  @Test
  void readsTaskDirectoriesWithDevAndTestFiles(@TempDir Path tasks) throws IOException {
    Path mine = Files.createDirectories(tasks.resolve("mine"));
    String line =
        "{\"instruction\": \"What is 1 + 1?\", \"response\": \"Answer: 2\", \"answer\": \"2\"}\n";
    Files.writeString(mine.resolve("dev.jsonl"), line + line + line);
    Files.writeString(mine.resolve("test.jsonl"), line);
    SearchTask task = SearchTask.resolve(mine + ":3", 2, 5, 1);
    assertThat(task.name()).isEqualTo("mine");
    assertThat(task.weight()).isEqualTo(3);
    assertThat(task.dev()).hasSize(2);
    assertThat(task.test()).hasSize(1);
  }

  @Test
  void rejectsInputsOfDifferentFamilies(@TempDir Path other) throws IOException {
    SearchFixtures.wideModel(other.resolve("wide"));
    Map<String, Checkpoint> mixed = new LinkedHashMap<>(inputs);
    try (Checkpoint wide = Checkpoint.open(other.resolve("wide"))) {
      mixed.put("expert-b", wide);
      Recipe recipe = RecipeParser.parse(SearchFixtures.recipe("ties", ""), "tiny.yml");
      assertThatThrownBy(
              () -> SearchRun.prepare(recipe, mixed, Map.of(), tasks(0), encoding, settings(5)))
          .hasMessageContaining("not weight-mergeable")
          .hasMessageContaining("'expert-b' is llama (4 layers, hidden 24)");
    }
  }

  @Test
  void rejectsTheSameFamilyTwiceAndUnknownFitness() throws IOException {
    Recipe recipe = RecipeParser.parse(SearchFixtures.recipe("ties", ""), "tiny.yml");
    SearchTask a = SearchTask.resolve("arithmetic", 2, 0, 1);
    assertThatThrownBy(
            () -> SearchRun.prepare(recipe, inputs, Map.of(), List.of(a, a), encoding, settings(5)))
        .hasMessage("--task arithmetic is given twice");
    assertThatThrownBy(
            () ->
                SearchRun.prepare(
                    recipe,
                    inputs,
                    Map.of(),
                    List.of(a),
                    encoding,
                    new SearchRun.Settings(5, 1, false, 1, "perplexity", 8, 8)))
        .hasMessageContaining("--fitness must be loglik or accuracy");
  }
}
