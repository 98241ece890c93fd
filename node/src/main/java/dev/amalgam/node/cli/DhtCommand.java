package dev.amalgam.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "dht",
    mixinStandardHelpOptions = true,
    description = "Kademlia DHT operations as a one-shot client.",
    subcommands = {
      DhtProvideCommand.class,
      DhtProvidersCommand.class,
      DhtPutCommand.class,
      DhtGetCommand.class,
    })
final class DhtCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a dht verb is required: provide, providers, put or get");
  }
}
