package dev.amalgam.node.demo;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import dev.amalgam.merge.search.Evaluation;
import dev.amalgam.merge.search.SearchReport;
import dev.amalgam.merge.search.SearchRun;
import dev.amalgam.merge.search.SearchSpace;
import dev.amalgam.merge.search.SearchTask;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's layer-wise search, in this JVM ({@code amalgam search}'s machinery): per-layer task
 * arithmetic weights of two experts over their base, tuned by CMA-ES on the mean log-likelihood of
 * dev examples of both experts' families. The checkpoints are read from local directories; the
 * recipes it writes name them by expert id, so that any node can re-derive the merge.
 */
public final class DemoSearch {
  /** Searched on these families' dev splits, equally weighted. */
  public static final List<String> FAMILIES = List.of("arithmetic", "relational");

  /** What the search found. */
  public record Outcome(
      Path bestRecipe,
      Path uniformRecipe,
      Evaluation start,
      Evaluation best,
      int evaluations,
      int genes,
      int groups,
      double seconds) {}

  /** A model the search merges: its local directory and its expert id. */
  public record Input(Path dir, String id) {}

  private DemoSearch() {}

  /**
   * Searches {@code base + w_arith(layer) (arith - base) + w_rel(layer) (relational - base)},
   * writes the best and the uniform start (0.5 each everywhere) as recipes by id into {@code dir},
   * and the search charts (fitness.png, weights.png) into {@code reportDir}.
   */
  public static Outcome run(
      Input base,
      Input arith,
      Input relational,
      int budget,
      int devN,
      long seed,
      Path dir,
      Path reportDir)
      throws IOException {
    long began = System.nanoTime();
    Files.createDirectories(dir);
    String template =
        String.join(
            "\n",
            "merge_method: task_arithmetic",
            "base_model: " + base.dir(),
            "models:",
            "  - model: " + arith.dir(),
            "    parameters: {weight: 0.5}",
            "  - model: " + relational.dir(),
            "    parameters: {weight: 0.5}",
            "dtype: float32",
            "");
    Recipe recipe = RecipeParser.parse(template, "demo search template");
    SearchSpace.checkSearchable(recipe);
    Map<String, String> byId = new LinkedHashMap<>();
    for (Input in : List.of(base, arith, relational)) {
      byId.put(in.dir().toString(), in.id());
    }
    List<SearchTask> tasks = new ArrayList<>();
    for (String family : FAMILIES) {
      tasks.add(SearchTask.resolve(family, devN, 0, seed));
    }
    Map<String, Checkpoint> opened = new LinkedHashMap<>();
    try {
      for (String ref : recipe.referencedModels()) {
        opened.put(ref, Checkpoint.open(Path.of(ref)));
      }
      try (TextTokenizer tokenizer = TextTokenizer.load(base.dir().resolve("tokenizer.json"))) {
        TaskEncoding encoding =
            TaskEncoding.of(
                tokenizer,
                opened
                    .get(base.dir().toString())
                    .config()
                    .orElseThrow(() -> new DemoException(base.dir() + ": no config.json")));
        SearchRun.Settings settings =
            new SearchRun.Settings(
                budget, 1, false, seed, "loglik", 32, Evaluations.MAX_NEW_TOKENS);
        try (SearchRun run = SearchRun.prepare(recipe, opened, byId, tasks, encoding, settings)) {
          run.search();
          Evaluation start = run.evaluator().history().get(0);
          Evaluation best = run.evaluator().best();
          Path bestFile = dir.resolve("layerwise.yml");
          run.writeBest(bestFile);
          Path uniformFile = dir.resolve("uniform.yml");
          Files.writeString(
              uniformFile,
              run.evaluator()
                  .recipe(
                      start.genome(),
                      List.of(
                          "The uniform merge: the search's start point, task arithmetic with"
                              + " weight 1/2 for each expert in every layer",
                          String.format(Locale.ROOT, "dev loglik fitness %.4f", start.fitness()))),
              StandardCharsets.UTF_8);
          SearchReport.write(
              reportDir,
              new SearchReport.Contents(
                  "Layer-wise merge search (amalgam demo)",
                  List.of(
                      "task arithmetic of arith and relational over base; per-layer weights",
                      "fitness: mean log-likelihood of "
                          + devN
                          + " dev examples of each of "
                          + String.join(", ", FAMILIES)
                          + "; budget "
                          + budget),
                  run.space(),
                  run.evaluator().history(),
                  start,
                  null,
                  best,
                  run.evaluator().evaluationsPerMinute(),
                  null,
                  List.of(),
                  null,
                  null));
          return new Outcome(
              bestFile,
              uniformFile,
              start,
              best,
              run.evaluator().computed(),
              run.space().dimension(),
              run.space().groups().size(),
              (System.nanoTime() - began) / 1e9);
        }
      }
    } catch (IllegalArgumentException e) {
      throw new DemoException("layer-wise search: " + e.getMessage(), e);
    } finally {
      opened.values().forEach(Checkpoint::close);
    }
  }
}
