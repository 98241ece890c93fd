package dev.amalgam.node.cli;

import dev.amalgam.node.api.AddSummaryRequest;
import dev.amalgam.node.api.SummaryView;
import dev.amalgam.node.summary.SummaryRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a summary directory (from 'amalgam summarize'): read it in full where it lies,",
      "every block checked against its CID (nothing is copied), and print its summary id.",
      "A running daemon announces it at once; otherwise it is announced at the next start."
    })
final class SummaryAddCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SUMMARY_DIR", description = "Summary directory.")
  Path path;

  @Option(names = "--name", description = "Display name (default: the directory name).")
  String name;

  @Option(names = "--json", description = "Print the hosted summary as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path abs = path.toAbsolutePath().normalize();
    SummaryView added =
        LocalNode.either(
            home.resolve(),
            daemon -> daemon.addSummary(new AddSummaryRequest(abs.toString(), name)),
            node ->
                SummaryView.of(
                    node.summaries().add(new SummaryRegistry.Request(abs, name)),
                    node.home.peerId().toString()));
    if (json) {
      JsonOutput.print(spec.commandLine().getOut(), added);
    } else {
      spec.commandLine().getOut().println(added.id());
    }
    return Amalgam.EXIT_OK;
  }
}
