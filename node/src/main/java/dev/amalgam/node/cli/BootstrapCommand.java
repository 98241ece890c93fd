package dev.amalgam.node.cli;

import picocli.CommandLine.Command;

@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    description = "Run a federation's bootstrap peer (DHT server and gossip relay, no model).",
    subcommands = {BootstrapStartCommand.class})
final class BootstrapCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "bootstrap needs a subcommand: start");
  }
}
