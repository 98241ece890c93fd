package dev.amalgam.node.cli;

import picocli.CommandLine.Command;

@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description = "Serve distribution summaries to the federation, and fetch them by id.",
    subcommands = {
      SummaryAddCommand.class,
      SummaryListCommand.class,
      SummaryRemoveCommand.class,
      SummaryFetchCommand.class,
      SummaryKeyCommand.class
    })
final class SummaryCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "summary needs a subcommand: add, list, remove, fetch or key");
  }
}
