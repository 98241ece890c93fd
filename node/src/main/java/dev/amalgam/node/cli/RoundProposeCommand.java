package dev.amalgam.node.cli;

import dev.amalgam.bootstrap.FederationDescriptor;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.recipe.RecipeParser;
import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.api.ProposeRequest;
import dev.amalgam.node.api.RoundView;
import dev.amalgam.node.round.RoundRunner;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "propose",
    mixinStandardHelpOptions = true,
    description = {
      "Propose a merge round to the federation: the running node signs the recipe (whose models",
      "must be expert ids) with the dev set its output is to be evaluated on, and publishes it on",
      "the federation's merges topic. Nodes that volunteer (rounds.participate in config.yaml)",
      "merge, evaluate, host the output and publish signed results; see 'amalgam rounds'."
    })
final class RoundProposeCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RECIPE.yml", description = "Merge recipe over expert ids.")
  Path recipeFile;

  @Option(
      names = "--federation",
      paramLabel = "F",
      description =
          "Federation (name or descriptor file) to propose to; it must be the node's"
              + " (default: the node's).")
  String federation;

  @Option(
      names = "--dev-tasks",
      split = ",",
      defaultValue = "arithmetic,relational",
      paramLabel = "T[,T2]",
      description = "Task families of the dev set (default: ${DEFAULT-VALUE}).")
  List<String> devTasks;

  @Option(
      names = "--dev-n",
      defaultValue = "50",
      paramLabel = "N",
      description = "Examples per task family (default: ${DEFAULT-VALUE}).")
  int devN;

  @Option(
      names = "--dev-seed",
      defaultValue = "1",
      paramLabel = "K",
      description = "Seed of the generated examples (default: ${DEFAULT-VALUE}).")
  long devSeed;

  @Option(
      names = "--dev-split",
      defaultValue = "dev",
      paramLabel = "S",
      description = "Split the examples come from (default: ${DEFAULT-VALUE}).")
  String devSplit;

  @Option(
      names = "--dev-max-tokens",
      defaultValue = "" + TaskFamilies.DEFAULT_MAX_NEW_TOKENS,
      paramLabel = "M",
      description = "Most tokens generated per answer (default: ${DEFAULT-VALUE}).")
  int devMaxTokens;

  @Option(names = "--json", description = "Print the proposed round as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(recipeFile)) {
      throw new UserError(recipeFile + ": no such recipe file");
    }
    String text = Files.readString(recipeFile, StandardCharsets.UTF_8);
    RoundRunner.inputsOf(RecipeParser.parse(recipeFile), recipeFile.toString());
    Path dir = home.resolve();
    ApiClient daemon =
        LocalNode.daemon(dir)
            .orElseThrow(
                () ->
                    new UserError(
                        dir
                            + ": no node daemon runs on this home; start it with 'amalgam node"
                            + " start' (the running node signs and publishes the proposal)"));
    if (federation != null) {
      String wanted =
          FederationDescriptor.looksLikeFile(federation)
              ? FederationDescriptor.read(Path.of(federation)).name()
              : federation;
      String joined = daemon.status().federation();
      if (!wanted.equals(joined)) {
        throw new UserError(
            "--federation '"
                + federation
                + "': the node at "
                + dir
                + " is in federation '"
                + joined
                + "'");
      }
    }
    RoundView.Proposed p =
        daemon.propose(new ProposeRequest(text, devSplit, devTasks, devN, devSeed, devMaxTokens));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonOutput.print(out, p);
    } else {
      out.println("proposed round " + p.round().id() + " to " + p.peers() + " peers");
      out.println("dev set " + p.round().devSetId() + " " + p.round().devSet());
    }
    return Amalgam.EXIT_OK;
  }
}
