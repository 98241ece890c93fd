package dev.amalgam.node.cli;

import dev.amalgam.merge.fusion.Summarizer;
import dev.amalgam.merge.fusion.SummaryManifest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "summarize",
    mixinStandardHelpOptions = true,
    description = {
      "Write a distribution summary of a model on instruction-response data (for 'amalgam fuse').",
      "The model is teacher-forced over every instruction + response; per response token the",
      "summary keeps the top-k ids and log-probs and the token's char offsets, per response the",
      "gold NLL. Output: summary.json (its CID is the summary id) and zstd blocks named by CID."
    })
final class SummarizeCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", description = "Source checkpoint directory.")
  Path model;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DATA.jsonl",
      description = "Examples {instruction, response, answer}, one JSON object per line.")
  Path data;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "SUMMARY_DIR",
      description = "Directory to create.")
  Path output;

  @Option(
      names = "--top-k",
      defaultValue = "10",
      paramLabel = "K",
      description = "Alternatives kept per response token (default: ${DEFAULT-VALUE}).")
  int topK;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (topK < 1) {
      throw new UserError("--top-k must be at least 1, got " + topK);
    }
    if (Files.exists(output)) {
      throw new UserError(output + ": already exists (choose another output or remove it)");
    }
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    SummaryManifest manifest =
        Summarizer.run(
            model,
            data,
            output,
            topK,
            done -> {
              if (done % 256 < 16) {
                err.printf(Locale.ROOT, "summarized %d examples%n", done);
                err.flush();
              }
            });
    double seconds = (System.nanoTime() - start) / 1e9;
    PrintWriter out = spec.commandLine().getOut();
    out.printf("summary id      %s%n", manifest.id());
    out.printf("dataset id      %s%n", manifest.dataset());
    out.printf("source model    %s%n", manifest.sourceModel());
    out.printf(
        Locale.ROOT,
        "sequences       %,d (%,d response tokens, top-%d) in %.1f s%n",
        manifest.sequences(),
        manifest.responseTokens(),
        manifest.topK(),
        seconds);
    out.printf(
        Locale.ROOT,
        "size            %s in %d sequence blocks = %.1f bytes per response token; vocabulary %s%n",
        Bytes.human(manifest.chunkBytes()),
        manifest.chunks().size(),
        (double) manifest.chunkBytes() / manifest.responseTokens(),
        Bytes.human(manifest.vocabulary().bytes()));
    out.println("saved " + output);
    return Amalgam.EXIT_OK;
  }
}
