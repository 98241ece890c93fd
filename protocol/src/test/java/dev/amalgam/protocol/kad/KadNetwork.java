package dev.amalgam.protocol.kad;

import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Real hosts on loopback, each running a DHT, all bootstrapped from the first. */
final class KadNetwork implements AutoCloseable {
  final List<Host> hosts = new ArrayList<>();
  final List<KadDht> dhts = new ArrayList<>();

  static Host newHost() {
    return new Host(HostConfig.defaults().withTransport(1, true));
  }

  static Multiaddr listen(Host h) throws IOException {
    return h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withPeerId(h.peerId());
  }

  KadDht add(KadConfig config) throws IOException {
    Host h = newHost();
    listen(h);
    hosts.add(h);
    KadDht d = new KadDht(h, config).start();
    dhts.add(d);
    return d;
  }

  Multiaddr addressOf(int i) {
    return hosts.get(i).listenAddresses().get(0).withPeerId(hosts.get(i).peerId());
  }

  static KadNetwork start(int n, KadConfig config) throws Exception {
    KadNetwork net = new KadNetwork();
    for (int i = 0; i < n; i++) {
      net.add(config);
    }
    for (int i = 1; i < n; i++) {
      net.dhts.get(i).bootstrap(List.of(net.addressOf(0)));
    }
    // a second round lets early joiners learn about later ones
    for (int i = 0; i < n; i++) {
      net.dhts.get(i).refresh();
    }
    return net;
  }

  @Override
  public void close() {
    dhts.forEach(KadDht::close);
    hosts.forEach(Host::close);
  }
}
