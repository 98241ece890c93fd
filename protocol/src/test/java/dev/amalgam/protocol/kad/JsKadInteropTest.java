package dev.amalgam.protocol.kad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Java and js-libp2p kad-dht nodes in one DHT under /amalgam/kad/1.0.0. */
class JsKadInteropTest {
  static final Duration T = Duration.ofSeconds(30);

  @Test
  void javaAndJsFindEachOthersProvidersAndValues() throws Exception {
    KadConfig cfg = KadDhtTest.CONFIG.withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20));
    try (KadNetwork net = KadNetwork.start(4, cfg);
        JsDhtPeer js = JsDhtPeer.start()) {
      PeerId jsId = PeerId.parse(js.peerId());
      js.call("dial " + net.addressOf(0), "DIALED", T);
      net.dhts.get(1).bootstrap(List.of(Multiaddr.parse(js.address())));
      waitForJsRoutingTable(js);
      assertThat(net.dhts.get(1).routingTable().contains(jsId)).isTrue();

      byte[] jsKey = Multihash.sha256("provided-by-js".getBytes(StandardCharsets.UTF_8)).bytes();
      js.call("provide " + HexFormat.of().formatHex(jsKey), "PROVIDED", T);
      List<KadPeer> found = net.dhts.get(3).findProviders(jsKey, 1);
      assertThat(found).extracting(KadPeer::id).contains(jsId);
      assertThat(found.get(0).addrs()).isNotEmpty();

      byte[] javaKey =
          Multihash.sha256("provided-by-java".getBytes(StandardCharsets.UTF_8)).bytes();
      net.dhts.get(2).provide(javaKey);
      PeerId javaProvider = net.hosts.get(2).peerId();
      String providers =
          js.call(
              "findprov " + HexFormat.of().formatHex(javaKey) + " " + javaProvider, "PROVIDERS", T);
      assertThat(providers).contains(javaProvider.toBase58());

      net.dhts.get(3).putValue(utf8("/amalgam/from-java"), utf8("java-value"));
      assertThat(js.call("get /amalgam/from-java", "VALUE", T)).isEqualTo("VALUE java-value");

      js.call("put /amalgam/from-js js-value", "PUT", T);
      Optional<byte[]> got = net.dhts.get(0).getValue(utf8("/amalgam/from-js"), 2);
      assertThat(got).hasValueSatisfying(v -> assertThat(new String(v)).isEqualTo("js-value"));
    }
  }

  private static void waitForJsRoutingTable(JsDhtPeer js) throws Exception {
    for (int i = 0; i < 200; i++) {
      String r = js.call("routing", "ROUTING", T);
      if (Integer.parseInt(r.substring("ROUTING ".length())) >= 2) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("js routing table never filled");
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
