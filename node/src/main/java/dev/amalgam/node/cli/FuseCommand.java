package dev.amalgam.node.cli;

import dev.amalgam.merge.fusion.FuseOptions;
import dev.amalgam.merge.fusion.FuseRun;
import dev.amalgam.merge.fusion.FusionPlan;
import dev.amalgam.merge.fusion.FusionRule;
import dev.amalgam.merge.fusion.SourceProjection;
import dev.amalgam.merge.runtime.StepResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "fuse",
    mixinStandardHelpOptions = true,
    description = {
      "Fuse experts of other architectures into a target through their distribution summaries.",
      "Aligns every summary's tokens with the target's, fuses per sequence (minCE: the candidate",
      "with the lowest CE; avgCE: a softmax over negative CEs; the target itself is a candidate),",
      "and fine-tunes the target with lambda*CE(gold) + (1-lambda)*CE(fused) on response tokens.",
      "Writes a checkpoint of the target's family with amalgam-fuse.json (provenance)."
    })
final class FuseCommand implements Callable<Integer> {
  @Option(
      names = "--target",
      required = true,
      paramLabel = "MODEL",
      description = "Target checkpoint.")
  Path target;

  @Option(
      names = "--summary",
      required = true,
      paramLabel = "S",
      description =
          "Summary directory or summary id (repeat for several sources). An id is served by"
              + " this node, cached in DATA_DIR/summaries/ID, or fetched from the federation.")
  List<String> summaries;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DATA.jsonl",
      description = "The data the summaries were made from.")
  Path data;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "OUT",
      description = "Output checkpoint.")
  Path output;

  @Option(
      names = "--fusion",
      defaultValue = "minCE",
      paramLabel = "RULE",
      description = "minCE or avgCE (default: ${DEFAULT-VALUE}).")
  String fusion;

  @Option(
      names = "--lambda",
      defaultValue = "0.9",
      paramLabel = "L",
      description = "Weight of CE(gold) (default: ${DEFAULT-VALUE}); 1 gives plain fine-tuning.")
  double lambda;

  @Option(
      names = "--epochs",
      defaultValue = "1",
      paramLabel = "E",
      description = "Passes (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--lr",
      defaultValue = "1e-3",
      paramLabel = "LR",
      description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(
      names = "--batch",
      defaultValue = "16",
      paramLabel = "B",
      description = "Sequences per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "N",
      description = "Seed of the example order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FuseOptions options;
    try {
      options =
          new FuseOptions(FusionRule.parse(fusion), lambda, epochs, learningRate, batch, seed);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    SummaryResolver resolver = new SummaryResolver(home.resolve(), err);
    List<Path> summaryDirs = new ArrayList<>();
    for (String s : summaries) {
      summaryDirs.add(resolver.locate(s));
    }
    long start = System.nanoTime();
    FuseRun.Result result =
        FuseRun.run(
            target,
            summaryDirs,
            data,
            output,
            options,
            new FuseRun.Listener() {
              @Override
              public void planned(FusionPlan plan, int steps) {
                for (SourceProjection p : plan.projections()) {
                  err.printf(
                      Locale.ROOT,
                      "summary %s: %.1f%% of target tokens aligned one-to-one (%.1f%% exact)%n",
                      p.summary().id(),
                      100 * p.oneToOneShare(),
                      100 * p.exactShare());
                }
                err.printf(
                    Locale.ROOT,
                    "%s: target itself weighted most in %d of %d sequences; %d steps%n",
                    options.rule().label(),
                    plan.targetChosen(),
                    plan.examples().size(),
                    steps);
                err.flush();
              }

              @Override
              public void step(StepResult r, int total) {
                int step = r.step() + 1;
                if (!r.applied()) {
                  err.printf(Locale.ROOT, "step %d/%d  %s%n", step, total, r.skipNote());
                  err.flush();
                } else if (step == 1 || step % 25 == 0 || step == total) {
                  err.printf(
                      Locale.ROOT,
                      "step %d/%d  loss %.4f  lr %.2e%n",
                      step,
                      total,
                      r.loss(),
                      r.learningRate());
                  err.flush();
                }
              }
            });
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "saved %s (%d steps, loss %.4f -> %.4f, %.1f s)%n",
            result.output(),
            result.steps(),
            result.firstLoss(),
            result.lastLoss(),
            (System.nanoTime() - start) / 1e9);
    return Amalgam.EXIT_OK;
  }
}
