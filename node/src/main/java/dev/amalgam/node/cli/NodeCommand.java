package dev.amalgam.node.cli;

import picocli.CommandLine.Command;

@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run the node daemon, or show the state of a node.",
    subcommands = {NodeStartCommand.class, NodeStatusCommand.class})
final class NodeCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "node needs a subcommand: start or status");
  }
}
