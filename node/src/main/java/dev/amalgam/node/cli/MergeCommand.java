package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.engine.MergeExecutor;
import dev.amalgam.merge.engine.MergeProgress;
import dev.amalgam.merge.engine.MergeResult;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    description = {
      "Merge models with a mergekit-compatible recipe (YAML).",
      "Models are local checkpoint paths (as given or relative to the recipe) or expert ids: hosted",
      "by the node home, cached in DATA_DIR/experts, or fetched from the federation, and then only",
      "the tensors the recipe reads. The output is a complete Hugging Face directory with",
      "amalgam-merge.json provenance; it appears only when complete."
    })
final class MergeCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RECIPE.yml", description = "The merge recipe.")
  Path recipeFile;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "Output directory.")
  Path output;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Worker threads (default: all cores). The output does not depend on it.")
  Integer threads;

  @Option(
      names = "--shard-size",
      paramLabel = "BYTES",
      description =
          "Output shard size in bytes (default: recipe's out_shard_size, else 5000000000).")
  Long shardSize;

  @Option(names = "--force", description = "Replace the output directory if it exists.")
  boolean force;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (n < 1) {
      throw new UserError("--threads must be at least 1, got " + n);
    }
    if (!force && java.nio.file.Files.exists(output)) {
      throw new UserError(
          output + ": already exists (choose another output, or --force to replace it)");
    }
    Recipe recipe = RecipeParser.parse(recipeFile);
    Path recipeDir = recipeFile.toAbsolutePath().getParent();
    PrintWriter err = spec.commandLine().getErr();
    ModelResolver.Opened opened = new ModelResolver(recipeDir, home.resolve(), err).open(recipe);
    Map<String, Checkpoint> inputs = opened.checkpoints();
    ProgressBar bar = new ProgressBar(err, "merging", "tensors", ProgressBar.onTerminal());
    try {
      // inputs named by id keep that id: one fetched in part would not fingerprint to it
      Map<String, String> inputIds = new LinkedHashMap<>(opened.expertIds());
      Fingerprinter fingerprinter = new Fingerprinter(n);
      for (Map.Entry<String, Checkpoint> e : inputs.entrySet()) {
        if (!inputIds.containsKey(e.getKey())) {
          inputIds.put(e.getKey(), fingerprinter.manifest(e.getValue()).id().toString());
        }
      }
      MergeProgress progress =
          new MergeProgress() {
            @Override
            public void started(int tensors, long bytes) {
              bar.start(tensors, bytes);
            }

            @Override
            public void tensorDone(String name, long bytes) {
              bar.advance(1, bytes);
            }
          };
      long shards = shardSize != null ? shardSize : CheckpointWriter.DEFAULT_SHARD_BYTES;
      MergeResult result =
          MergeExecutor.run(
              recipe,
              inputs,
              output,
              new MergeExecutor.Options(n, shards, force, progress, inputIds, true));
      bar.finish();
      report(result);
    } finally {
      bar.finish();
      opened.close();
    }
    return Amalgam.EXIT_OK;
  }

  private void report(MergeResult result) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("output", result.directory().toString());
      r.put("output_id", result.outputId());
      r.put("tensors", result.tensors());
      r.put("bytes", result.bytes());
      r.put("warnings", result.warnings());
      JsonOutput.print(out, r);
      return;
    }
    result.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
    out.println(
        "merged "
            + result.tensors()
            + " tensors ("
            + Bytes.human(result.bytes())
            + ") into "
            + result.directory());
    out.println("output id " + result.outputId());
  }
}
