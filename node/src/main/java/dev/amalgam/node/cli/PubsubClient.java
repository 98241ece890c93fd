package dev.amalgam.node.cli;

import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.pubsub.Gossipsub;
import dev.amalgam.protocol.pubsub.GossipsubConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the pubsub verbs, and a short-lived gossipsub node built from them. */
final class PubsubClient {
  @Option(
      names = "--bootstrap",
      required = true,
      paramLabel = "MULTIADDR",
      description = "Peer to connect to, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW… (repeatable).")
  List<String> bootstrap = new ArrayList<>();

  @Option(
      names = "--timeout",
      defaultValue = "30",
      description = "Seconds to wait for subscribed peers (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  record Node(Host host, Gossipsub router) implements AutoCloseable {
    @Override
    public void close() {
      router.close();
      host.close();
    }
  }

  Node start() {
    List<Multiaddr> peers = new ArrayList<>();
    for (String b : bootstrap) {
      try {
        peers.add(Multiaddr.parse(b));
      } catch (IllegalArgumentException e) {
        throw new UserError("--bootstrap '" + b + "': " + e.getMessage());
      }
    }
    Host host = new Host(HostConfig.defaults().withTransport(1, true));
    Gossipsub router = new Gossipsub(host, GossipsubConfig.defaults()).start();
    Node node = new Node(host, router);
    int connected = 0;
    List<String> failures = new ArrayList<>();
    for (Multiaddr a : peers) {
      try {
        host.dial(a);
        connected++;
      } catch (IOException e) {
        failures.add(e.getMessage());
      }
    }
    if (connected == 0) {
      node.close();
      throw new UserError("cannot reach any --bootstrap peer: " + String.join("; ", failures));
    }
    return node;
  }
}
