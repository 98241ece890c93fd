package dev.amalgam.node.cli;

import dev.amalgam.merge.runtime.SequenceScores;
import dev.amalgam.merge.runtime.TeacherForcedScorer;
import dev.amalgam.merge.tokenizer.TokenizedText;
import java.io.PrintWriter;
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
    name = "score",
    mixinStandardHelpOptions = true,
    description =
        "Teacher-forced scores of a text: per position the token, its log-prob and the top-k alternatives.")
final class ScoreCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", description = "Checkpoint directory.")
  Path model;

  @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Text to score.")
  String text;

  @Option(
      names = "--top-k",
      defaultValue = "5",
      paramLabel = "K",
      description = "Alternatives per position (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--json", description = "Print the scores as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (topK < 1) {
      throw new UserError("--top-k must be at least 1, got " + topK);
    }
    try (LoadedModel loaded = LoadedModel.load(model)) {
      TokenizedText tokens = loaded.tokenizer().encode(text);
      if (tokens.size() == 0) {
        throw new UserError("--text encodes to no tokens");
      }
      SequenceScores s =
          new TeacherForcedScorer(loaded.model()).score(List.of(tokens.ids()), topK).getFirst();
      List<Map<String, Object>> positions = new ArrayList<>();
      for (int t = 0; t < tokens.size(); t++) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("position", t);
        p.put("id", tokens.ids()[t]);
        p.put("token", tokens.tokens()[t]);
        p.put("logprob", t == 0 ? null : (double) s.logProbs()[t]);
        List<Map<String, Object>> top = new ArrayList<>();
        for (int k = 0; k < s.topIds()[t].length; k++) {
          top.add(Map.of("id", s.topIds()[t][k], "logprob", (double) s.topLogProbs()[t][k]));
        }
        p.put("top", top);
        positions.add(p);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        JsonOutput.print(out, Map.of("model", model.toString(), "positions", positions));
      } else {
        for (Map<String, Object> p : positions) {
          out.printf(
              Locale.ROOT,
              "%4d %-12s %8s  top: %s%n",
              p.get("position"),
              "'" + p.get("token") + "'",
              p.get("logprob") == null
                  ? "-"
                  : String.format(Locale.ROOT, "%.3f", (double) p.get("logprob")),
              p.get("top"));
        }
      }
    }
    return Amalgam.EXIT_OK;
  }
}
