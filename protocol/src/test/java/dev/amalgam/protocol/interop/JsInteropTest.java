package dev.amalgam.protocol.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.Echo;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.identify.Identify;
import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.multiaddr.Protocol;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.ping.Ping;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Java ↔ js-libp2p over real TCP, both directions. */
class JsInteropTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final long BIG = 64L << 20;
  private static JsPeer jsListener;
  private static Multiaddr jsAddr;
  private static Host java;

  @BeforeAll
  static void start() throws Exception {
    jsListener = JsPeer.start("listen");
    jsAddr = Multiaddr.parse(jsListener.await("LISTENING ", TIMEOUT).substring(10));
    java = new Host(HostConfig.defaults());
    java.setStreamHandler(Echo.PROTOCOL_ID, Echo::serve);
    java.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (java != null) {
      java.close();
    }
    if (jsListener != null) {
      jsListener.close();
    }
  }

  @Test
  void javaDialsJsUpgradesAndPings() throws Exception {
    Connection c = java.dial(jsAddr);
    assertThat(c.remotePeer()).isEqualTo(jsAddr.peerId().orElseThrow());
    try (Stream s = c.newStream(Ping.PROTOCOL_ID)) {
      assertThat(Ping.ping(s, 5)).hasSize(5);
      s.in().readAllBytes();
    }
  }

  @Test
  void identifyReportsProtocolsAndListenAddressesBothWays() throws Exception {
    Connection c = java.dial(jsAddr);
    IdentifyInfo js = c.identified().get(30, TimeUnit.SECONDS);
    assertThat(js.protocols())
        .contains(
            Ping.PROTOCOL_ID, Identify.PROTOCOL_ID, Identify.PUSH_PROTOCOL_ID, Echo.PROTOCOL_ID);
    assertThat(js.listenAddrs()).contains(jsAddr.decapsulate(Protocol.P2P));
    assertThat(js.publicKey()).isEqualTo(c.remotePublicKey());
    assertThat(java.peerstore().certifiedRecord(c.remotePeer()).orElseThrow().addresses())
        .contains(jsAddr.decapsulate(Protocol.P2P));

    String line = jsListener.await("IDENTIFY " + java.peerId(), TIMEOUT);
    assertThat(line)
        .contains(Echo.PROTOCOL_ID, Ping.PROTOCOL_ID, Identify.PROTOCOL_ID)
        .contains("addrs=" + java.listenAddresses().get(0))
        .contains("agent=amalgam/")
        .endsWith("spr=" + java.listenAddresses().get(0));
  }

  @Test
  void javaEchoes64MegabytesThroughJsIntact() throws Exception {
    Connection c = java.dial(jsAddr);
    try (Stream s = c.newStream(Echo.PROTOCOL_ID)) {
      byte[][] h = Echo.roundTrip(s, BIG, 7);
      assertThat(h[1]).isEqualTo(h[0]);
    }
  }

  @Test
  void javaRunsOneHundredConcurrentStreamsToJs() throws Exception {
    Connection c = java.dial(jsAddr);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> fs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        long seed = i;
        fs.add(
            pool.submit(
                () -> {
                  try (Stream s = c.newStream(Echo.PROTOCOL_ID)) {
                    byte[][] h = Echo.roundTrip(s, 65_536, seed);
                    return Arrays.equals(h[0], h[1]);
                  }
                }));
      }
      for (Future<Boolean> f : fs) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void negotiatesTheMuxerWithMultistreamBothWaysWhenJavaOffersNoEarlyMuxer() throws Exception {
    try (Host late = new Host(HostConfig.defaults().withEarlyMuxerNegotiation(false))) {
      late.setStreamHandler(Echo.PROTOCOL_ID, Echo::serve);
      Multiaddr lateAddr =
          late.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withPeerId(late.peerId());
      try (Stream s = late.dial(jsAddr).newStream(Echo.PROTOCOL_ID)) {
        byte[][] h = Echo.roundTrip(s, 1 << 20, 5);
        assertThat(h[1]).isEqualTo(h[0]);
      }
      try (JsPeer js = JsPeer.start("dial", lateAddr.toString(), "ping", "echo:1048576")) {
        List<String> out = js.collectUntil("DONE", TIMEOUT);
        assertThat(out).anyMatch(l -> l.startsWith("PING ")).contains("ECHO 1048576 ok");
      }
    }
  }

  @Test
  void jsDialsJavaPingsIdentifiesEchoes64MegabytesAndRunsOneHundredStreams() throws Exception {
    PeerId id = java.peerId();
    Multiaddr target = java.listenAddresses().get(0).withPeerId(id);
    try (JsPeer js =
        JsPeer.start(
            "dial", target.toString(), "ping", "identify", "echo:" + BIG, "concurrent:100:65536")) {
      List<String> out = js.collectUntil("DONE", TIMEOUT);
      assertThat(out).anyMatch(l -> l.matches("PING \\d+(\\.\\d+)?"));
      assertThat(out)
          .filteredOn(l -> l.startsWith("IDENTIFY " + id))
          .singleElement()
          .asString()
          .contains(Echo.PROTOCOL_ID, Ping.PROTOCOL_ID, "addrs=" + java.listenAddresses().get(0));
      assertThat(out).contains("ECHO " + BIG + " ok", "CONCURRENT 100 ok");
      assertThat(js.waitForExit(TIMEOUT)).isZero();
    }
  }
}
