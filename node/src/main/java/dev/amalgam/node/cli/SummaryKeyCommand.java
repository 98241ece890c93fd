package dev.amalgam.node.cli;

import dev.amalgam.merge.fusion.SummaryKey;
import dev.amalgam.multiformats.Cid;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    description = {
      "Print the summary key of a dataset and a source model: the DHT key under which every",
      "node serving a summary of that model on that dataset puts a provider record",
      "(look them up with 'amalgam dht providers KEY')."
    })
final class SummaryKeyCommand implements Callable<Integer> {
  @Option(names = "--dataset", required = true, paramLabel = "D", description = "Dataset id.")
  String dataset;

  @Option(names = "--model", required = true, paramLabel = "M", description = "Source model id.")
  String model;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getOut()
        .println(SummaryKey.of(parse("--dataset", dataset), parse("--model", model)));
    return Amalgam.EXIT_OK;
  }

  private static Cid parse(String option, String text) {
    try {
      return Cid.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UserError(option + " '" + text + "': not a CID: " + e.getMessage());
    }
  }
}
