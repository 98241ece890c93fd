package dev.amalgam.node.cli;

import dev.amalgam.protocol.kad.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "put",
    mixinStandardHelpOptions = true,
    description =
        "Store VALUE under KEY (e.g. /amalgam/<name>; the namespace needs a validator: amalgam, pk).")
final class DhtPutCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "KEY", description = "Record key, /<namespace>/<name>.")
  String key;

  @Parameters(index = "1", paramLabel = "VALUE", description = "Record value (UTF-8).")
  String value;

  @Mixin DhtClient client;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    try (DhtClient.Node node = client.start(false)) {
      int stored;
      try {
        stored = node.dht().putValue(k, v);
      } catch (InvalidRecordException e) {
        throw new UserError("record " + key + ": " + e.getMessage());
      }
      if (stored == 0) {
        throw new UserError("no DHT peer stored the record " + key);
      }
      spec.commandLine().getOut().println("stored " + key + " at " + stored + " peers");
    }
    return Amalgam.EXIT_OK;
  }
}
