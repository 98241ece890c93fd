package dev.amalgam.node.cli;

import dev.amalgam.node.exchange.SummaryFetch;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch a summary by id from every peer that serves it into a new directory.",
      "The root block must hash to the id and every block to its CID; the result is read back",
      "in full before it is renamed into place. Runs through the node daemon when one runs on",
      "the home, else joins the federation for the time of the fetch. Prints the directory."
    })
final class SummaryFetchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", description = "Summary id (as listed by 'amalgam summaries').")
  String id;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "Directory to create (must not exist).")
  Path out;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SummaryFetch.Result r =
        FetchRunner.runSummary(home.resolve(), id, out.toAbsolutePath().normalize());
    spec.commandLine().getErr().println(describe(r));
    spec.commandLine().getOut().println(r.directory());
    return Amalgam.EXIT_OK;
  }

  static String describe(SummaryFetch.Result r) {
    return "fetched summary "
        + r.id()
        + ": "
        + r.blocksFetched()
        + " blocks, "
        + Bytes.human(r.bytesFetched())
        + " from "
        + r.bytesByPeer().values().stream().filter(b -> b > 0).count()
        + " peer(s)"
        + (r.dropped().isEmpty() ? "" : ", dropped " + r.dropped())
        + (r.skipped().isEmpty() ? "" : ", skipped penalized " + r.skipped());
  }
}
