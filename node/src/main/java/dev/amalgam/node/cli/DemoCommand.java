package dev.amalgam.node.cli;

import dev.amalgam.node.demo.DemoOptions;
import dev.amalgam.node.demo.DemoRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The whole idea on one machine, on loopback only: a bootstrap peer and three nodes, each",
      "its own process, in a temporary home. Node 1 (arith expert) finds node 2's relational",
      "expert and node 3's family-B expert through the DHT and gossip, fetches the relational",
      "expert, searches a layer-wise merge, merges it by expert ids and fuses in node 3's",
      "distribution summary; every model is evaluated, the merge is published with its",
      "provenance, and node 2 re-derives it and confirms the same expert id. One line per step,",
      "then the results table; report.html (charts embedded) goes to --out."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--n",
      defaultValue = "50",
      paramLabel = "N",
      description =
          "Test examples per task family for every evaluation (default: ${DEFAULT-VALUE}).")
  int n;

  @Option(
      names = "--budget",
      defaultValue = "24",
      paramLabel = "N",
      description = "Candidates the layer-wise search scores (default: ${DEFAULT-VALUE}).")
  int budget;

  @Option(
      names = "--dev-n",
      defaultValue = "16",
      paramLabel = "N",
      description = "Dev examples per family in the search's fitness (default: ${DEFAULT-VALUE}).")
  int devN;

  @Option(
      names = "--fuse-n",
      defaultValue = "256",
      paramLabel = "N",
      description =
          "Composite train examples node 3 summarizes and node 1 fuses on (default:"
              + " ${DEFAULT-VALUE}).")
  int fuseN;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where report.html goes (default: a new temporary directory, printed).")
  Path out;

  @Option(
      names = "--keep",
      description = "Keep the temporary node homes, models and process logs (path printed).")
  boolean keep;

  @Option(
      names = "--zoo",
      paramLabel = "DIR",
      description =
          "The zoo with models/{base,arith,relational,family-b} (default: the repository's).")
  Path zoo;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "S",
      description = "Seed of the generated examples and of the search (default: ${DEFAULT-VALUE}).")
  long seed;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    DemoOptions options;
    try {
      options = new DemoOptions(n, budget, devN, fuseN, out, keep, zoo, seed);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    PrintWriter w = spec.commandLine().getOut();
    new DemoRun(options, w).run();
    return Amalgam.EXIT_OK;
  }
}
