package dev.amalgam.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    description = {
      "Stop hosting an expert (the checkpoint itself is left alone).",
      "The node no longer announces it nor vouches for it when peers ask."
    })
final class ExpertRemoveCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", description = "Expert id, as printed by 'expert add'.")
  String id;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    boolean removed =
        LocalNode.either(
            home.resolve(), daemon -> daemon.removeExpert(id), node -> node.registry().remove(id));
    if (!removed) {
      throw new UserError("this node hosts no expert " + id + " (see 'amalgam expert list')");
    }
    spec.commandLine().getOut().println("removed " + id);
    return Amalgam.EXIT_OK;
  }
}
