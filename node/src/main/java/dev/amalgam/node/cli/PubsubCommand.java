package dev.amalgam.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "pubsub",
    mixinStandardHelpOptions = true,
    description = "Gossipsub topics as a one-shot client.",
    subcommands = {PubsubSubCommand.class, PubsubPubCommand.class})
final class PubsubCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a pubsub verb is required: sub or pub");
  }
}
