package dev.amalgam.node.cli;

import picocli.CommandLine.Command;

@Command(
    name = "round",
    mixinStandardHelpOptions = true,
    description = "Federation merge rounds: propose one (see 'amalgam rounds' for their state).",
    subcommands = {RoundProposeCommand.class})
final class RoundCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "round needs a subcommand: propose");
  }
}
