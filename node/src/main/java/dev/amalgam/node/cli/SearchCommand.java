package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import dev.amalgam.merge.search.Evaluation;
import dev.amalgam.merge.search.LayerwiseSearch;
import dev.amalgam.merge.search.SearchLog;
import dev.amalgam.merge.search.SearchRun;
import dev.amalgam.merge.search.SearchSpace;
import dev.amalgam.merge.search.SearchTask;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = {
      "Layer-wise merge search: CMA-ES tunes per-layer-group weights and densities (t for slerp)",
      "of a recipe's models against the dev split of task families, merging every candidate in",
      "memory. Writes the best as a plain recipe with per-layer lists ('amalgam merge' reproduces",
      "it), logs every evaluation, and with --report charts and a test-split table.",
      "Ctrl-C writes the best recipe found so far."
    })
final class SearchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RECIPE.yml", description = "The template recipe (a models: recipe).")
  Path recipeFile;

  @Option(
      names = "--task",
      required = true,
      split = ",",
      paramLabel = "T[:W]",
      description =
          "Task families scored (built-in name or a directory with dev.jsonl/test.jsonl),"
              + " optionally weighted: arithmetic:2,relational.")
  List<String> tasks;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "BEST.yml",
      description = "Where the best recipe is written.")
  Path output;

  @Option(
      names = "--budget",
      defaultValue = "100",
      paramLabel = "N",
      description = "Candidates to merge and score (default: ${DEFAULT-VALUE}).")
  int budget;

  @Option(
      names = "--granularity",
      defaultValue = "1",
      paramLabel = "LAYERS",
      description = "Layers per group sharing one value (default: ${DEFAULT-VALUE}).")
  int granularity;

  @Option(names = "--per-module", description = "Separate values for attention and MLP tensors.")
  boolean perModule;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "S",
      description = "CMA-ES seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--fitness",
      defaultValue = "loglik",
      paramLabel = "F",
      description =
          "loglik (mean log-likelihood of the gold responses, teacher-forced) or accuracy"
              + " (exact match of greedy answers) (default: ${DEFAULT-VALUE}).")
  String fitness;

  @Option(
      names = "--dev-n",
      defaultValue = "64",
      paramLabel = "N",
      description = "Dev examples per family (default: ${DEFAULT-VALUE}).")
  int devN;

  @Option(
      names = "--test-n",
      defaultValue = "200",
      paramLabel = "N",
      description = "Test examples per family for --report (default: ${DEFAULT-VALUE}).")
  int testN;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "Write charts and the test-split table (base, experts, uniform, layer-wise).")
  Path report;

  @Option(
      names = "--log",
      paramLabel = "FILE",
      description = "Search log, one JSON line per evaluation (default: BEST.search.jsonl).")
  Path log;

  @Option(
      names = "--batch",
      defaultValue = "32",
      paramLabel = "B",
      description = "Sequences per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--max-tokens",
      defaultValue = "" + TaskFamilies.DEFAULT_MAX_NEW_TOKENS,
      paramLabel = "M",
      description = "Most tokens generated per answer for accuracy (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (budget < 1) {
      throw new UserError("--budget must be at least 1 evaluation, got " + budget);
    }
    if (batch < 1 || maxTokens < 1 || testN < 1) {
      throw new UserError("--batch, --max-tokens and --test-n must be at least 1");
    }
    Recipe recipe = RecipeParser.parse(recipeFile);
    SearchSpace.checkSearchable(recipe);
    List<SearchTask> resolved = new ArrayList<>();
    for (String t : tasks) {
      resolved.add(SearchTask.resolve(t, devN, report != null ? testN : 0, 1));
    }
    Path recipeDir = recipeFile.toAbsolutePath().getParent();
    ModelResolver resolver = new ModelResolver(recipeDir, home.resolve());
    Map<String, Checkpoint> opened = resolver.openAll(recipe.referencedModels());
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    try (TextTokenizer tokenizer = tokenizer(recipe, opened)) {
      Map<String, String> renames = renames(recipe, resolver);
      TaskEncoding encoding =
          TaskEncoding.of(tokenizer, opened.get(reference(recipe)).config().orElseThrow());
      SearchRun.Settings settings =
          new SearchRun.Settings(budget, granularity, perModule, seed, fitness, batch, maxTokens);
      try (SearchRun run =
              SearchRun.prepare(recipe, opened, renames, resolved, encoding, settings);
          SearchLog searchLog = new SearchLog(logFile(), run.space())) {
        err.printf(
            Locale.ROOT,
            "searching %d values (%d groups) of %s with CMA-ES, %s fitness on %s%n",
            run.space().dimension(),
            run.space().groups().size(),
            recipe.method().name(),
            fitness,
            String.join(
                ", ",
                resolved.stream().map(t -> t.name() + " (" + t.dev().size() + " dev)").toList()));
        run.evaluator().onEvaluation(e -> progress(err, run, searchLog, e));
        Thread onInterrupt = new Thread(() -> writeOnInterrupt(run, err), "search-interrupted");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        LayerwiseSearch.Outcome outcome = run.search();
        run.writeBest(output);
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
        Evaluation best = run.evaluator().best();
        Evaluation start = run.evaluator().history().get(0);
        out.printf(
            Locale.ROOT,
            "best dev %s fitness %.4f at evaluation %d (start %.4f); %d evaluations, %d merged"
                + " and scored, %.1f evaluations/min%s%n",
            fitness,
            best.fitness(),
            best.index(),
            start.fitness(),
            run.evaluator().evaluated(),
            run.evaluator().computed(),
            run.evaluator().evaluationsPerMinute(),
            outcome == LayerwiseSearch.Outcome.CONVERGED ? " (CMA-ES converged early)" : "");
        out.println("wrote " + output + " and the log " + logFile());
        if (report != null) {
          err.println("report: uniform grid on dev, then every model on the test split");
          run.report(report, settingsLines(recipe, run));
          out.println("wrote the report to " + report);
        }
      }
    } finally {
      opened.values().forEach(Checkpoint::close);
    }
    return Amalgam.EXIT_OK;
  }

  private void progress(PrintWriter err, SearchRun run, SearchLog searchLog, Evaluation e) {
    searchLog.append("search", e);
    Evaluation best = run.evaluator().best();
    StringBuilder families = new StringBuilder();
    e.score()
        .perFamily()
        .forEach((f, v) -> families.append(String.format(Locale.ROOT, " %s %.4f", f, v)));
    err.printf(
        Locale.ROOT,
        "eval %d/%d%s  fitness %.4f (%s)  best %.4f @%d  %.1f evals/min%n",
        run.evaluator().computed(),
        budget,
        e.cached() ? " (cached)" : "",
        e.fitness(),
        families.toString().strip(),
        best.fitness(),
        best.index(),
        run.evaluator().evaluationsPerMinute());
    err.flush();
  }

  private void writeOnInterrupt(SearchRun run, PrintWriter err) {
    try {
      Evaluation best = run.evaluator().best();
      if (run.writeBest(output)) {
        err.printf(
            Locale.ROOT,
            "%ninterrupted: wrote the best recipe so far (fitness %.4f, evaluation %d) to %s%n",
            best.fitness(),
            best.index(),
            output);
      } else {
        err.println("interrupted before the first evaluation; nothing written");
      }
    } catch (IOException | RuntimeException e) {
      err.println("interrupted: could not write " + output + ": " + e.getMessage());
    }
    err.flush();
  }

  private Path logFile() {
    if (log != null) {
      return log;
    }
    String name = output.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    return output.resolveSibling(name + ".search.jsonl");
  }

  private static String reference(Recipe recipe) {
    return recipe.baseModel() != null
        ? recipe.baseModel()
        : recipe.slices().get(0).sources().get(0).model();
  }

  private static TextTokenizer tokenizer(Recipe recipe, Map<String, Checkpoint> opened)
      throws CheckpointException {
    Checkpoint ref = opened.get(reference(recipe));
    Path file =
        ref.tokenizerJson()
            .orElseThrow(
                () ->
                    new CheckpointException(
                        ref.location()
                            + ": has no tokenizer.json; the search needs it to score task text"));
    if (ref.config().isEmpty()) {
      throw new CheckpointException(ref.location() + ": has no config.json");
    }
    return TextTokenizer.load(file);
  }

  /**
   * Local model paths rewritten relative to the output recipe's directory, so that 'amalgam merge
   * BEST.yml' finds them wherever BEST.yml is written; expert ids and absolute paths stay.
   */
  private Map<String, String> renames(Recipe recipe, ModelResolver resolver) throws IOException {
    Map<String, String> renames = new LinkedHashMap<>();
    Path outDir = output.toAbsolutePath().normalize().getParent();
    for (String ref : recipe.referencedModels()) {
      if (ModelResolver.looksLikeExpertId(ref) || Path.of(ref).isAbsolute()) {
        continue;
      }
      Path located = resolver.locate(ref).toAbsolutePath().normalize();
      renames.put(ref, outDir.relativize(located).toString());
    }
    return renames;
  }

  private List<String> settingsLines(Recipe recipe, SearchRun run) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "recipe `"
            + recipeFile
            + "` ("
            + recipe.method().name()
            + "), models: "
            + String.join(", ", recipe.referencedModels()));
    lines.add(
        "tasks (weight): "
            + String.join(", ", tasks)
            + "; "
            + devN
            + " dev examples per family for the fitness, "
            + testN
            + " test examples per family for the table");
    lines.add(
        String.format(
            Locale.ROOT,
            "fitness %s; budget %d; granularity %d layer(s)%s; %d groups, %d genes; CMA-ES seed %d,"
                + " sigma 1/6",
            fitness,
            budget,
            granularity,
            perModule ? ", attention and MLP apart" : "",
            run.space().groups().size(),
            run.space().dimension(),
            seed));
    return lines;
  }
}
