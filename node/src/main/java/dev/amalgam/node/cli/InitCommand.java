package dev.amalgam.node.cli;

import dev.amalgam.node.home.NodeConfig;
import dev.amalgam.node.home.NodeHome;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create a node home with a new identity.",
      "Writes identity.key (mode 0600), the control API token, config.yaml and the node",
      "database (state.db)."
    })
final class InitCommand implements Callable<Integer> {
  @Mixin HomeOption home;

  @Option(
      names = "--listen",
      paramLabel = "MULTIADDR",
      description = "Listen address (repeatable; default /ip4/0.0.0.0/tcp/4001).")
  List<String> listen;

  @Option(
      names = "--bootstrap",
      paramLabel = "MULTIADDR",
      description = "Bootstrap peer with /p2p/ID (repeatable).")
  List<String> bootstrap;

  @Option(
      names = "--federation",
      paramLabel = "NAME",
      description = "Federation to join (default: default).")
  String federation;

  @Option(
      names = "--api-port",
      paramLabel = "PORT",
      description = "Control API port on 127.0.0.1 (default 5080; 0 picks a free one).")
  Integer apiPort;

  @Option(
      names = "--no-mdns",
      description = "Do not discover peers on the local network with mDNS (config key mdns).")
  boolean noMdns;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    NodeConfig config = NodeConfig.defaults();
    if (listen != null) {
      config = config.withListen(listen);
    }
    if (bootstrap != null) {
      config = config.withBootstrap(bootstrap);
    }
    if (federation != null) {
      config = config.withFederation(federation);
    }
    if (apiPort != null) {
      config = config.withApiPort(apiPort);
    }
    if (noMdns) {
      config = config.withMdns(false);
    }
    Path dir = home.resolve();
    NodeHome created = NodeHome.init(dir, config);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("home", dir.toString());
      r.put("peer_id", created.peerId().toString());
      r.put("federation", config.federation());
      JsonOutput.print(out, r);
    } else {
      out.println("initialized node home " + dir);
      out.println("peer id     " + created.peerId());
      out.println("federation  " + config.federation());
      out.println("next: amalgam node start --home " + dir);
    }
    return Amalgam.EXIT_OK;
  }
}
