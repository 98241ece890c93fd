package dev.amalgam.node.cli;

import picocli.CommandLine.Command;

@Command(
    name = "fingerprint",
    mixinStandardHelpOptions = true,
    description = "Describe a checkpoint.")
final class FingerprintCommand implements Runnable {
  @Override
  public void run() {}
}
