package dev.amalgam.node.cli;

import dev.amalgam.protocol.kad.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Print the best valid value stored under KEY.")
final class DhtGetCommand implements Callable<Integer> {
  @Parameters(paramLabel = "KEY", description = "Record key, /<namespace>/<name>.")
  String key;

  @Mixin DhtClient client;

  @Option(
      names = "--quorum",
      defaultValue = "3",
      description = "Answers to collect (default: ${DEFAULT-VALUE}).")
  int quorum;

  @Option(names = "--json", description = "Print {\"key\", \"value\"} as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try (DhtClient.Node node = client.start(false)) {
      Optional<byte[]> v;
      try {
        v = node.dht().getValue(key.getBytes(StandardCharsets.UTF_8), quorum);
      } catch (InvalidRecordException e) {
        throw new UserError("record " + key + ": " + e.getMessage());
      }
      if (v.isEmpty()) {
        throw new UserError("no value found for " + key);
      }
      String text = new String(v.get(), StandardCharsets.UTF_8);
      if (json) {
        JsonOutput.print(spec.commandLine().getOut(), Map.of("key", key, "value", text));
      } else {
        spec.commandLine().getOut().println(text);
      }
    }
    return Amalgam.EXIT_OK;
  }
}
