package dev.amalgam.node.cli;

import dev.amalgam.merge.eval.Accuracy;
import dev.amalgam.merge.eval.EvalSamples;
import dev.amalgam.merge.eval.MeanInterval;
import dev.amalgam.merge.eval.ModelEvaluator;
import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.search.LogLikelihoodFitness;
import dev.amalgam.merge.search.SearchTask;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Exact-match accuracy of a model on reasoning task families, with 95%% (Wilson) intervals.",
      "Greedy generation from each prompt; the answer is read from the 'Answer:' line."
    })
final class EvalCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "MODEL",
      description = "Checkpoint directory (with config.json and tokenizer.json).")
  Path model;

  @Option(
      names = "--task",
      required = true,
      split = ",",
      paramLabel = "T[,T2]",
      description = "Task families.")
  List<String> tasks;

  @Option(
      names = "--n",
      defaultValue = "200",
      paramLabel = "N",
      description = "Examples per family (default: ${DEFAULT-VALUE}).")
  int n;

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "S",
      description = "Split to evaluate (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "K",
      description = "Seed of the generated examples (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--batch",
      defaultValue = "32",
      paramLabel = "B",
      description = "Generation batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--max-tokens",
      defaultValue = "" + TaskFamilies.DEFAULT_MAX_NEW_TOKENS,
      paramLabel = "M",
      description = "Most tokens generated per answer (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(
      names = "--loglik",
      description =
          "Also report the mean log-likelihood per token of the gold responses (teacher-forced,"
              + " 95%% interval over examples): smoother than exact match when accuracies are low.")
  boolean logLik;

  @Option(names = "--json", description = "Print the results as JSON.")
  boolean json;

  @Option(
      names = "--samples",
      paramLabel = "FILE",
      description =
          "Also write every example as a JSON line: instruction, gold response and answer, the"
              + " model's output, the answer read from it and whether it is correct.")
  Path samples;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (n < 1) {
      throw new UserError("--n must be at least 1, got " + n);
    }
    Split s = Split.parse(split);
    List<Map<String, Object>> results = new ArrayList<>();
    try (Writer samplesOut = openSamples();
        LoadedModel loaded = LoadedModel.load(model)) {
      ModelEvaluator evaluator =
          new ModelEvaluator(loaded.model(), loaded.encoding(), maxTokens, batch);
      for (String task : tasks) {
        List<TaskExample> examples = TaskFamilies.generate(TaskFamilies.byName(task), s, n, seed);
        ProgressBar bar =
            new ProgressBar(
                spec.commandLine().getErr(), task, "examples", ProgressBar.onTerminal());
        bar.start(examples.size(), 0);
        int[] last = {0};
        List<String> outputs =
            evaluator.complete(
                examples,
                done -> {
                  bar.advance(done - last[0], 0);
                  last[0] = done;
                });
        bar.finish();
        Accuracy acc = Accuracy.score(examples, outputs);
        if (samplesOut != null) {
          EvalSamples.write(samplesOut, task, s, examples, outputs);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("task", task);
        r.put("split", s.label());
        r.put("correct", acc.correct());
        r.put("total", acc.total());
        r.put("accuracy", acc.rate());
        r.put("ci95", List.of(acc.low(), acc.high()));
        if (logLik) {
          SearchTask scored = new SearchTask(task, 1, List.of(), examples);
          MeanInterval ll =
              MeanInterval.of(
                  new LogLikelihoodFitness(List.of(scored), loaded.encoding(), true, batch)
                      .perExample(loaded.model())[0]);
          r.put("loglik", ll.mean());
          r.put("loglik_ci95", List.of(ll.mean() - ll.halfWidth(), ll.mean() + ll.halfWidth()));
        }
        results.add(r);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonOutput.print(out, Map.of("model", model.toString(), "results", results));
    } else {
      out.printf(
          "%-14s %-6s %8s %10s   %-16s%s%n",
          "TASK",
          "SPLIT",
          "CORRECT",
          "ACCURACY",
          "95% CI",
          logLik ? "   LOGLIK/TOKEN (95% CI)" : "");
      for (Map<String, Object> r : results) {
        @SuppressWarnings("unchecked")
        List<Double> ci = (List<Double>) r.get("ci95");
        out.printf(
            Locale.ROOT,
            "%-14s %-6s %4d/%-4d %9.1f%%   %-16s%s%n",
            r.get("task"),
            r.get("split"),
            r.get("correct"),
            r.get("total"),
            100 * (double) r.get("accuracy"),
            String.format(Locale.ROOT, "[%.1f%%, %.1f%%]", 100 * ci.get(0), 100 * ci.get(1)),
            logLikCell(r));
      }
    }
    return Amalgam.EXIT_OK;
  }

  /** Opened before the model loads, so a bad path fails at once rather than after the work. */
  private Writer openSamples() {
    if (samples == null) {
      return null;
    }
    try {
      return Files.newBufferedWriter(samples, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserError(
          "--samples " + samples + ": cannot write (" + e.getClass().getSimpleName() + ")");
    }
  }

  @SuppressWarnings("unchecked")
  private static String logLikCell(Map<String, Object> r) {
    if (!r.containsKey("loglik")) {
      return "";
    }
    List<Double> ci = (List<Double>) r.get("loglik_ci95");
    return String.format(
        Locale.ROOT, "   %.4f ± %.4f", (double) r.get("loglik"), (ci.get(1) - ci.get(0)) / 2);
  }
}
