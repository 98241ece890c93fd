package dev.amalgam.node.cli;

import dev.amalgam.node.api.AddExpertRequest;
import dev.amalgam.node.api.HostedView;
import dev.amalgam.node.expert.ExpertRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {
      "Host a checkpoint: fingerprint it where it lies (nothing is copied) and print its expert id.",
      "A running daemon announces it at once; otherwise it is announced at the next start."
    })
final class ExpertAddCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "Checkpoint directory or .safetensors file.")
  Path path;

  @Option(names = "--name", description = "Display name (default: the directory name).")
  String name;

  @Option(names = "--base", paramLabel = "ID", description = "Expert id it was fine-tuned from.")
  String base;

  @Option(names = "--tag", paramLabel = "TAG", description = "Tag or domain (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(
      names = "--score",
      paramLabel = "TASK=VALUE",
      description = "Measured eval score to put on the card (repeatable), e.g. arithmetic=0.98.")
  List<String> scores = new ArrayList<>();

  @Option(names = "--json", description = "Print the hosted expert as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, Double> scoreMap = new LinkedHashMap<>();
    for (String s : scores) {
      int eq = s.indexOf('=');
      try {
        scoreMap.put(s.substring(0, eq), Double.parseDouble(s.substring(eq + 1)));
      } catch (RuntimeException e) {
        throw new UserError("--score '" + s + "': expected TASK=NUMBER, e.g. arithmetic=0.98");
      }
    }
    Path abs = path.toAbsolutePath().normalize();
    HostedView added =
        LocalNode.either(
            home.resolve(),
            daemon ->
                daemon.addExpert(new AddExpertRequest(abs.toString(), name, base, tags, scoreMap)),
            node ->
                HostedView.of(
                    node.registry()
                        .add(new ExpertRegistry.Request(abs, name, base, tags, scoreMap))));
    if (json) {
      JsonOutput.print(spec.commandLine().getOut(), added);
    } else {
      spec.commandLine().getOut().println(added.id());
    }
    return Amalgam.EXIT_OK;
  }
}
