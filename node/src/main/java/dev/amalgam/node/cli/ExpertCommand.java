package dev.amalgam.node.cli;

import picocli.CommandLine.Command;

@Command(
    name = "expert",
    mixinStandardHelpOptions = true,
    description = "Manage the experts this node hosts.",
    subcommands = {ExpertAddCommand.class, ExpertListCommand.class, ExpertRemoveCommand.class})
final class ExpertCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "expert needs a subcommand: add, list or remove");
  }
}
