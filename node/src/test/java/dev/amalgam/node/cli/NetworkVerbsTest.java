package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.ping.Ping;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkVerbsTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Amalgam.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void idPrintsTheSamePeerIdForTheSameKeyFileAndItsListenAddress(@TempDir Path dir) {
    Path key = dir.resolve("identity.key");
    assertThat(run("id", "--key", key.toString())).isZero();
    String first = out.toString();
    assertThat(first).containsPattern("ID +12D3KooW").contains("Address   /ip4/127.0.0.1/tcp/");
    out.getBuffer().setLength(0);
    assertThat(run("id", "--key", key.toString())).isZero();
    assertThat(out.toString().lines().findFirst()).isEqualTo(first.lines().findFirst());
  }

  @Test
  void idRejectsABadListenAddressInOneLine() {
    assertThat(run("id", "--listen", "/ip4/999.1.1.1/tcp/1")).isEqualTo(1);
    assertThat(err.toString().strip())
        .startsWith("amalgam id: ")
        .contains("invalid IPv4")
        .doesNotContain("\n");
  }

  @Test
  void pingPrintsRoundTripTimes() throws Exception {
    try (Host peer = new Host(HostConfig.defaults())) {
      Multiaddr a = peer.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withPeerId(peer.peerId());
      assertThat(run("ping", a.toString(), "--count", "3")).isZero();
      assertThat(out.toString()).startsWith("PING " + peer.peerId());
      assertThat(out.toString().lines().filter(l -> l.startsWith("Pong received: time=")))
          .hasSize(3);
      assertThat(out.toString()).contains("Average latency: ");
    }
  }

  @Test
  void pingOfUnreachablePeerExitsOneWithOneLine() {
    assertThat(run("ping", "/ip4/127.0.0.1/tcp/1", "--count", "1")).isEqualTo(1);
    assertThat(err.toString().strip())
        .startsWith("amalgam ping: cannot reach /ip4/127.0.0.1/tcp/1")
        .doesNotContain("\n");
  }

  @Test
  void pingOfPeerWithoutPingProtocolExitsOneWithOneLine() throws Exception {
    try (Host peer = new Host(HostConfig.defaults())) {
      peer.removeStreamHandler(Ping.PROTOCOL_ID);
      Multiaddr a = peer.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withPeerId(peer.peerId());
      assertThat(run("ping", a.toString())).isEqualTo(1);
      assertThat(err.toString().strip())
          .isEqualTo("amalgam ping: peer " + peer.peerId() + " does not support /ipfs/ping/1.0.0");
    }
  }
}
