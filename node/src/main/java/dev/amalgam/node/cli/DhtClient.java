package dev.amalgam.node.cli;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.kad.KadConfig;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.kad.Validators;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the dht verbs, and a short-lived DHT node built from them. */
final class DhtClient {
  @Option(
      names = "--bootstrap",
      required = true,
      paramLabel = "MULTIADDR",
      description =
          "Peer to join the DHT through, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW… (repeatable).")
  List<String> bootstrap = new ArrayList<>();

  @Option(
      names = "--protocol",
      defaultValue = KadConfig.AMALGAM_PROTOCOL,
      description = "Kademlia protocol id (default: ${DEFAULT-VALUE}).")
  String protocol;

  @Option(
      names = "--listen",
      defaultValue = "/ip4/127.0.0.1/tcp/0",
      description =
          "Address to listen on, announced in provider records (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--timeout",
      defaultValue = "30",
      description = "Seconds allowed for one lookup (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  /** A running node: close it to leave. */
  record Node(Host host, KadDht dht) implements AutoCloseable {
    @Override
    public void close() {
      dht.close();
      host.close();
    }
  }

  Node start(boolean serve) throws InterruptedException {
    List<Multiaddr> peers = new ArrayList<>();
    for (String b : bootstrap) {
      Multiaddr a;
      try {
        a = Multiaddr.parse(b);
      } catch (IllegalArgumentException e) {
        throw new UserError("--bootstrap '" + b + "': " + e.getMessage());
      }
      if (a.peerId().isEmpty()) {
        throw new UserError("--bootstrap '" + b + "': missing /p2p/<peer id>");
      }
      peers.add(a);
    }
    Host host = new Host(HostConfig.defaults().withTransport(1, true));
    try {
      host.listen(Multiaddr.parse(listen));
    } catch (IOException | IllegalArgumentException e) {
      host.close();
      throw new UserError("--listen '" + listen + "': " + e.getMessage());
    }
    KadConfig cfg =
        KadConfig.defaults()
            .withProtocolId(protocol)
            .withClientMode(!serve)
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(timeoutSeconds))
            .withValidators(Validators.amalgam());
    KadDht dht = new KadDht(host, cfg).start();
    Node node = new Node(host, dht);
    if (dht.bootstrap(peers) == 0) {
      node.close();
      throw new UserError(
          "none of the --bootstrap peers " + bootstrap + " answered as a " + protocol + " server");
    }
    return node;
  }

  /** A CID's multihash, or else the sha2-256 multihash of the key's UTF-8 bytes. */
  static byte[] providerKey(String key) {
    try {
      return Cid.parse(key).multihash().bytes();
    } catch (IllegalArgumentException e) {
      return Multihash.sha256(key.getBytes(StandardCharsets.UTF_8)).bytes();
    }
  }

  static String describeKey(byte[] multihash) {
    return Cid.v1(Cid.RAW, Multihash.decode(multihash)).toString();
  }
}
