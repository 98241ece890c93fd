package dev.amalgam.merge.search;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeSlice;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One layer-wise search, from checked inputs to the best recipe and the report. {@link #prepare}
 * does every check that can fail on bad input before any merging or scoring starts.
 */
public final class SearchRun implements AutoCloseable {

  /**
   * The search settings.
   *
   * @param budget candidates to merge and score
   * @param granularity layers per group
   * @param perModule separate attention and MLP values
   * @param seed CMA-ES seed
   * @param fitness {@code loglik} or {@code accuracy}
   * @param batchSize sequences per forward pass
   * @param maxNewTokens the generation limit for accuracy
   */
  public record Settings(
      int budget,
      int granularity,
      boolean perModule,
      long seed,
      String fitness,
      int batchSize,
      int maxNewTokens) {}

  private final Recipe recipe;
  private final Settings settings;
  private final List<SearchTask> tasks;
  private final TaskEncoding encoding;
  private final CandidateMerger merger;
  private final SearchSpace space;
  private final LayerwiseRecipeWriter writer;
  private final CandidateEvaluator evaluator;

  private SearchRun(
      Recipe recipe,
      Settings settings,
      List<SearchTask> tasks,
      TaskEncoding encoding,
      CandidateMerger merger,
      SearchSpace space,
      LayerwiseRecipeWriter writer,
      Fitness fitness) {
    this.recipe = recipe;
    this.settings = settings;
    this.tasks = tasks;
    this.encoding = encoding;
    this.merger = merger;
    this.space = space;
    this.writer = writer;
    this.evaluator = new CandidateEvaluator(space, writer, merger, fitness);
  }

  /**
   * Checks everything and loads the inputs.
   *
   * @param inputs every model reference of the recipe mapped to its open checkpoint
   * @param renames model references to write differently in the output recipes
   * @throws IllegalArgumentException naming the problem when the input is bad
   */
  public static SearchRun prepare(
      Recipe recipe,
      Map<String, Checkpoint> inputs,
      Map<String, String> renames,
      List<SearchTask> tasks,
      TaskEncoding encoding,
      Settings settings)
      throws CheckpointException {
    if (settings.budget() < 1) {
      throw new IllegalArgumentException(
          "--budget must be at least 1 evaluation, got " + settings.budget());
    }
    if (!settings.fitness().equals("loglik") && !settings.fitness().equals("accuracy")) {
      throw new IllegalArgumentException(
          "--fitness must be loglik or accuracy, got '" + settings.fitness() + "'");
    }
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("--task: name at least one task family");
    }
    Set<String> names = new HashSet<>();
    for (SearchTask t : tasks) {
      if (t.dev().isEmpty()) {
        throw new IllegalArgumentException("--task " + t.name() + ": task family has no dev data");
      }
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("--task " + t.name() + " is given twice");
      }
    }
    String reference = recipe.baseModel() != null ? recipe.baseModel() : firstModel(recipe);
    int layers = DecoderCheckpoints.config(inputs.get(reference)).layers();
    SearchSpace space =
        SearchSpace.of(recipe, layers, settings.granularity(), settings.perModule());
    CandidateMerger merger = CandidateMerger.open(recipe, inputs);
    try {
      LayerwiseRecipeWriter writer =
          new LayerwiseRecipeWriter(recipe, renames, merger.outsideTensors());
      Fitness fitness =
          settings.fitness().equals("loglik")
              ? new LogLikelihoodFitness(tasks, encoding, false, settings.batchSize())
              : new AccuracyFitness(tasks, encoding, settings.maxNewTokens(), settings.batchSize());
      return new SearchRun(recipe, settings, tasks, encoding, merger, space, writer, fitness);
    } catch (RuntimeException e) {
      merger.close();
      throw e;
    }
  }

  private static String firstModel(Recipe recipe) {
    RecipeSlice slice = recipe.slices().get(0);
    return slice.sources().get(0).model();
  }

  public SearchSpace space() {
    return space;
  }

  public CandidateEvaluator evaluator() {
    return evaluator;
  }

  /** Runs CMA-ES until the budget is spent (or it converges). */
  public LayerwiseSearch.Outcome search() {
    return LayerwiseSearch.run(evaluator, settings.budget(), settings.seed());
  }

  /** The best recipe found so far with a comment header, or null before any evaluation. */
  public String bestRecipe() {
    Evaluation best = evaluator.best();
    if (best == null) {
      return null;
    }
    List<String> comments = new ArrayList<>();
    comments.add(
        "Found by 'amalgam search' from "
            + recipe.sourceName()
            + ": "
            + space.method().name()
            + ", "
            + space.groups().size()
            + " groups ("
            + settings.granularity()
            + " layer(s) each"
            + (settings.perModule() ? ", attention and MLP apart" : "")
            + ", plus the tensors outside the layers)");
    comments.add(
        String.format(
            Locale.ROOT,
            "dev %s fitness %.4f at evaluation %d of %d (seed %d); tasks: %s",
            evaluator.fitness().name(),
            best.fitness(),
            best.index(),
            evaluator.evaluated(),
            settings.seed(),
            String.join(", ", tasks.stream().map(t -> t.name() + ":" + t.weight()).toList())));
    return evaluator.recipe(best.genome(), comments);
  }

  /** Writes the best recipe so far atomically; false when nothing was evaluated yet. */
  public boolean writeBest(Path file) throws IOException {
    String text = bestRecipe();
    if (text == null) {
      return false;
    }
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".search-", ".yml.tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  /**
   * Evaluates the uniform grid on dev, then the base, every expert, the best uniform and the
   * layer-wise merges on the test split, and writes the report directory.
   */
  public void report(Path dir, List<String> settingsLines) throws IOException {
    Evaluation layerwise = evaluator.best();
    Evaluation start = evaluator.history().get(0);
    CandidateEvaluator grid = new CandidateEvaluator(space, writer, merger, evaluator.fitness());
    Evaluation uniform = UniformGrid.best(grid);
    boolean withTest = tasks.stream().allMatch(t -> !t.test().isEmpty());
    TestScores base = null;
    List<TestScores> experts = new ArrayList<>();
    TestScores uniformTest = null;
    TestScores searchedTest = null;
    if (withTest) {
      if (space.method().usesBase() && recipe.baseModel() != null) {
        merger.useInput(recipe.baseModel());
        base = measure("base (" + SearchSpace.shortName(recipe.baseModel()) + ")");
      }
      for (String model : space.models()) {
        merger.useInput(model);
        experts.add(measure("expert " + SearchSpace.shortName(model)));
      }
      merger.apply(grid.parse(uniform.genome()));
      uniformTest = measure("best uniform merge (" + uniformLabel(uniform) + ")");
      merger.apply(evaluator.parse(layerwise.genome()));
      searchedTest = measure("layer-wise search");
    }
    SearchReport.write(
        dir,
        new SearchReport.Contents(
            "Layer-wise merge search",
            settingsLines,
            space,
            evaluator.history(),
            start,
            uniform,
            layerwise,
            evaluator.evaluationsPerMinute(),
            base,
            experts,
            uniformTest,
            searchedTest));
  }

  private String uniformLabel(Evaluation uniform) {
    double[] g = uniform.genome();
    List<String> parts = new ArrayList<>();
    for (int p = 0; p < space.parameters().size(); p++) {
      parts.add(space.parameters().get(p).name() + " " + g[space.index(0, p, 0)]);
    }
    return String.join(", ", parts);
  }

  private TestScores measure(String label) {
    return TestScores.measure(
        label, merger.model(), tasks, encoding, settings.maxNewTokens(), settings.batchSize());
  }

  @Override
  public void close() {
    merger.close();
  }
}
