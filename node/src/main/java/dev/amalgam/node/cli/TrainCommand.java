package dev.amalgam.node.cli;

import dev.amalgam.merge.train.TrainRecipe;
import dev.amalgam.merge.train.TrainingRun;
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
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a decoder from scratch or from a base checkpoint on a mix of reasoning",
      "tasks. CONFIG.yml names the start (base: DIR, or init: {architecture} with",
      "tokenizer: FILE), the task mix (data: [{task, n, weight}]) and the schedule",
      "(steps, batch_size, learning_rate, warmup_steps, ...); see zoo/README.md.",
      "A config fixes the data, the initial weights and the batches (one PyTorch",
      "thread for small models); runs of one build have given byte-identical",
      "checkpoints (zoo/README.md records the checks). Another build may differ."
    })
final class TrainCommand implements Callable<Integer> {
  @Parameters(paramLabel = "CONFIG.yml", description = "Training config.")
  Path config;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "Output checkpoint directory.")
  Path output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(output)) {
      throw new UserError(output + ": already exists (choose another output or remove it)");
    }
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    double[] smoothed = {Double.NaN};
    TrainRecipe recipe = TrainRecipe.read(config);
    int logEvery = recipe.logEvery();
    Path saved =
        TrainingRun.run(
            recipe,
            config,
            output,
            (result, tokens, seconds) -> {
              if (!result.applied()) {
                err.printf(Locale.ROOT, "step %d  %s%n", result.step() + 1, result.skipNote());
                err.flush();
                return;
              }
              smoothed[0] =
                  Double.isNaN(smoothed[0])
                      ? result.loss()
                      : 0.9 * smoothed[0] + 0.1 * result.loss();
              int step = result.step() + 1;
              if (step == 1 || step % logEvery == 0) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                err.printf(
                    Locale.ROOT,
                    "step %d  loss %.4f (avg %.4f)  lr %.2e  grad %.2f  %.0f tokens/s  %.0fs elapsed%n",
                    step,
                    result.loss(),
                    smoothed[0],
                    result.learningRate(),
                    result.gradientNorm(),
                    tokens / seconds,
                    elapsed);
                err.flush();
              }
            });
    spec.commandLine().getOut().println("saved " + saved);
    return Amalgam.EXIT_OK;
  }
}
