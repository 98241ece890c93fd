package dev.amalgam.node.cli;

import picocli.CommandLine.Command;

@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Describe a checkpoint.")
final class InspectCommand implements Runnable {
  @Override
  public void run() {}
}
