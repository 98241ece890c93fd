package dev.amalgam.protocol.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.identify.Identify;
import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.ping.Ping;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostTest {
  private Host server;
  private Host client;
  private Multiaddr serverAddr;

  @BeforeEach
  void start() throws IOException {
    server = new Host(HostConfig.defaults());
    server.setStreamHandler(Echo.PROTOCOL_ID, Echo::serve);
    serverAddr = server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withPeerId(server.peerId());
    client = new Host(HostConfig.defaults());
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void dialsUpgradesAndPings() throws Exception {
    Connection c = client.dial(serverAddr);
    assertThat(c.remotePeer()).isEqualTo(server.peerId());
    try (Stream s = c.newStream(Ping.PROTOCOL_ID)) {
      List<Duration> rtts = Ping.ping(s, 3);
      assertThat(rtts).hasSize(3);
      s.in().readAllBytes();
    }
  }

  @Test
  void identifyReportsProtocolsListenAddressesAndObservedAddress() throws Exception {
    Connection c = client.dial(serverAddr);
    IdentifyInfo info = c.identified().get(10, TimeUnit.SECONDS);
    assertThat(info.protocols())
        .contains(
            Echo.PROTOCOL_ID, Ping.PROTOCOL_ID, Identify.PROTOCOL_ID, Identify.PUSH_PROTOCOL_ID);
    assertThat(info.listenAddrs()).containsExactlyElementsOf(server.listenAddresses());
    assertThat(info.observedAddr()).isEqualTo(c.localAddress());
    assertThat(info.agentVersion()).isEqualTo("amalgam/0.1.0");
    assertThat(client.peerstore().protocols(server.peerId())).contains(Echo.PROTOCOL_ID);
    assertThat(client.peerstore().certifiedRecord(server.peerId()).orElseThrow().addresses())
        .containsExactlyElementsOf(server.listenAddresses());
  }

  @Test
  void identifyPushDeliversNewProtocols() throws Exception {
    Connection c = client.dial(serverAddr);
    c.identified().get(10, TimeUnit.SECONDS);
    server.connections(client.peerId()).get(0).identified().get(10, TimeUnit.SECONDS);
    server.setStreamHandler("/amalgam/new/1.0.0", s -> {});
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!client.peerstore().protocols(server.peerId()).contains("/amalgam/new/1.0.0")
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(client.peerstore().protocols(server.peerId())).contains("/amalgam/new/1.0.0");
  }

  @Test
  void echoesEightMegabytesIntact() throws Exception {
    Connection c = client.dial(serverAddr);
    try (Stream s = c.newStream(Echo.PROTOCOL_ID)) {
      byte[][] hashes = Echo.roundTrip(s, 8L << 20, 1);
      assertThat(hashes[1]).isEqualTo(hashes[0]);
    }
  }

  @Test
  void runsOneHundredConcurrentStreams() throws Exception {
    Connection c = client.dial(serverAddr);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        long seed = i;
        Callable<Boolean> task =
            () -> {
              try (Stream s = c.newStream(Echo.PROTOCOL_ID)) {
                byte[][] h = Echo.roundTrip(s, 100_000, seed);
                return java.util.Arrays.equals(h[0], h[1]);
              }
            };
        results.add(pool.submit(task));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void rejectsPeerIdMismatchAfterHandshake() {
    PeerId other = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
    Multiaddr wrong = server.listenAddresses().get(0).withPeerId(other);
    assertThatThrownBy(() -> client.dial(wrong)).hasMessageContaining("peer id mismatch");
  }

  @Test
  void unknownProtocolFailsTheStreamButNotTheConnection() throws Exception {
    Connection c = client.dial(serverAddr);
    assertThatThrownBy(() -> c.newStream("/nope/1.0.0"))
        .hasMessageContaining("supports none of [/nope/1.0.0]");
    try (Stream s = c.newStream(Ping.PROTOCOL_ID)) {
      assertThat(Ping.ping(s, 1)).hasSize(1);
      s.in().readAllBytes();
    }
  }

  @Test
  void dedupesSimultaneousDialsToOnePeer() throws Exception {
    client.peerstore().addAddresses(server.peerId(), server.listenAddresses());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Connection>> fs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        fs.add(pool.submit(() -> client.dial(server.peerId())));
      }
      Set<Connection> distinct = new HashSet<>();
      for (Future<Connection> f : fs) {
        distinct.add(f.get(10, TimeUnit.SECONDS));
      }
      assertThat(distinct).hasSize(1);
    }
  }

  @Test
  void negotiatesTheMuxerWithMultistreamWhenEitherSideOffersNoEarlyMuxer() throws Exception {
    try (Host late = new Host(HostConfig.defaults().withEarlyMuxerNegotiation(false))) {
      late.setStreamHandler(Echo.PROTOCOL_ID, Echo::serve);
      Multiaddr lateAddr =
          late.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withPeerId(late.peerId());
      try (Stream s = late.dial(serverAddr).newStream(Echo.PROTOCOL_ID)) {
        byte[][] h = Echo.roundTrip(s, 1 << 20, 3);
        assertThat(h[1]).isEqualTo(h[0]);
      }
      try (Stream s = client.dial(lateAddr).newStream(Ping.PROTOCOL_ID)) {
        assertThat(Ping.ping(s, 2)).hasSize(2);
        s.in().readAllBytes();
      }
    }
  }

  @Test
  void lazyStreamCarriesDataWithTheProposalAndSurfacesRefusalOnRead() throws Exception {
    Connection c = client.dial(serverAddr);
    try (Stream s = c.newStreamLazy(Echo.PROTOCOL_ID)) {
      s.out().write("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      s.closeWrite();
      assertThat(new String(s.in().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("hello");
    }
    Stream refused = c.newStreamLazy("/nope/1.0.0");
    assertThatThrownBy(() -> refused.in().read())
        .isInstanceOf(dev.amalgam.protocol.mss.ProtocolNotSupportedException.class);
    refused.reset();
  }

  @Test
  void usesEpollWhereAvailableAndInteroperatesWithTheNioFallback() throws Exception {
    assertThat(server.usesEpoll()).isEqualTo(io.netty.channel.epoll.Epoll.isAvailable());
    try (Host nio = new Host(HostConfig.defaults().withTransport(1, false))) {
      assertThat(nio.usesEpoll()).isFalse();
      try (Stream s = nio.dial(serverAddr).newStream(Echo.PROTOCOL_ID)) {
        byte[][] h = Echo.roundTrip(s, 1 << 20, 9);
        assertThat(h[1]).isEqualTo(h[0]);
      }
    }
  }

  @Test
  void dialsDnsAddresses() throws Exception {
    int port = server.listenAddresses().get(0).toTcpSocketAddress().getPort();
    Connection c =
        client.dial(Multiaddr.parse("/dns4/localhost/tcp/" + port + "/p2p/" + server.peerId()));
    assertThat(c.remotePeer()).isEqualTo(server.peerId());
  }

  @Test
  void reportsUnreachableAddress() throws Exception {
    Multiaddr dead = Multiaddr.parse("/ip4/127.0.0.1/tcp/1");
    assertThatThrownBy(() -> client.dial(dead))
        .hasMessageContaining("cannot connect to /ip4/127.0.0.1/tcp/1");
  }
}
