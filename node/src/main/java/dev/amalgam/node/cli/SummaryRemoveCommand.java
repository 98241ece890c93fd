package dev.amalgam.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    description = {
      "Stop serving a summary (the directory itself is left alone).",
      "The node no longer announces it nor serves its blocks."
    })
final class SummaryRemoveCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", description = "Summary id, as printed by 'summary add'.")
  String id;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    boolean removed =
        LocalNode.either(
            home.resolve(),
            daemon -> daemon.removeSummary(id),
            node -> node.summaries().remove(id));
    if (!removed) {
      throw new UserError("this node serves no summary " + id + " (see 'amalgam summary list')");
    }
    spec.commandLine().getOut().println("removed " + id);
    return Amalgam.EXIT_OK;
  }
}
