package dev.amalgam.node.cli;

import dev.amalgam.protocol.kad.KadPeer;
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
    name = "providers",
    mixinStandardHelpOptions = true,
    description = "Find the providers of KEY; prints one line per provider: peer id, addresses.")
final class DhtProvidersCommand implements Callable<Integer> {
  @Parameters(paramLabel = "KEY", description = "CID or text (as given to 'dht provide').")
  String key;

  @Mixin DhtClient client;

  @Option(names = "--max", defaultValue = "20", description = "Stop after this many providers.")
  int max;

  @Option(names = "--json", description = "Print the providers as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    byte[] mh = DhtClient.providerKey(key);
    try (DhtClient.Node node = client.start(false)) {
      List<KadPeer> found = node.dht().findProviders(mh, max);
      if (found.isEmpty()) {
        throw new UserError(
            "no providers found for " + key + " (" + DhtClient.describeKey(mh) + ")");
      }
      if (json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (KadPeer p : found) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("peer", p.id().toString());
          row.put("addrs", p.addrs().stream().map(Object::toString).toList());
          rows.add(row);
        }
        JsonOutput.print(spec.commandLine().getOut(), rows);
      } else {
        for (KadPeer p : found) {
          spec.commandLine()
              .getOut()
              .println(
                  p.id()
                      + " "
                      + String.join(",", p.addrs().stream().map(Object::toString).toList()));
        }
      }
    }
    return Amalgam.EXIT_OK;
  }
}
