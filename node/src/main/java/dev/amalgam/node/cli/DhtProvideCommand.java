package dev.amalgam.node.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "provide",
    mixinStandardHelpOptions = true,
    description =
        "Announce this node as a provider of KEY (a CID, or any text: its sha2-256 is the key).")
final class DhtProvideCommand implements Callable<Integer> {
  @Parameters(paramLabel = "KEY", description = "CID or text.")
  String key;

  @Mixin DhtClient client;

  @Option(names = "--hold", description = "Keep serving the DHT until interrupted.")
  boolean hold;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    byte[] mh = DhtClient.providerKey(key);
    try (DhtClient.Node node = client.start(hold)) {
      int told = node.dht().provide(mh);
      if (told == 0) {
        throw new UserError("no DHT peer accepted the provider record for " + key);
      }
      String peer = node.host().peerId().toString();
      if (json) {
        JsonOutput.print(
            spec.commandLine().getOut(),
            Map.of("key", DhtClient.describeKey(mh), "provider", peer, "peers", told));
      } else {
        spec.commandLine()
            .getOut()
            .println(
                "provided " + DhtClient.describeKey(mh) + " as " + peer + " to " + told + " peers");
      }
      spec.commandLine().getOut().flush();
      if (hold) {
        Thread.currentThread().join();
      }
    }
    return Amalgam.EXIT_OK;
  }
}
