package dev.amalgam.protocol.pubsub;

import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/** Real hosts on loopback running gossipsub, connected in a ring plus random chords. */
final class GossipNet implements AutoCloseable {
  final List<Host> hosts = new ArrayList<>();
  final List<Gossipsub> routers = new ArrayList<>();

  static GossipsubConfig testConfig() {
    return GossipsubConfig.defaults().withHeartbeat(Duration.ofMillis(100));
  }

  static Host newHost() throws Exception {
    Host h = new Host(HostConfig.defaults().withTransport(1, true));
    h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
    return h;
  }

  static Multiaddr addr(Host h) {
    return h.listenAddresses().get(0).withPeerId(h.peerId());
  }

  Gossipsub add(GossipsubConfig config) throws Exception {
    Host h = newHost();
    hosts.add(h);
    Gossipsub g = new Gossipsub(h, config).start();
    routers.add(g);
    return g;
  }

  static GossipNet start(int n, int chords, GossipsubConfig config) throws Exception {
    GossipNet net = new GossipNet();
    for (int i = 0; i < n; i++) {
      net.add(config);
    }
    Random r = new Random(42);
    for (int i = 0; i < n; i++) {
      net.hosts.get(i).dial(addr(net.hosts.get((i + 1) % n)));
      for (int c = 0; c < chords; c++) {
        int j = r.nextInt(n);
        if (j != i && net.hosts.get(i).connections(net.hosts.get(j).peerId()).isEmpty()) {
          net.hosts.get(i).dial(addr(net.hosts.get(j)));
        }
      }
    }
    return net;
  }

  PeerId id(int i) {
    return hosts.get(i).peerId();
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    routers.forEach(Gossipsub::close);
    hosts.forEach(Host::close);
  }
}
