package dev.amalgam.node.cli;

import dev.amalgam.node.home.NodeHome;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --home} option shared by every verb that works on a node home. */
final class HomeOption {
  @Option(
      names = "--home",
      paramLabel = "DIR",
      description = "Node home (default: $AMALGAM_HOME, else ~/.amalgam).")
  Path home;

  Path resolve() {
    return NodeHome.resolve(home);
  }
}
