package dev.amalgam.protocol.multiaddr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MultiaddrTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

  @Test
  void encodesJsCheckedVectors() {
    assertThat(HEX.formatHex(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001").bytes()))
        .isEqualTo("047f000001060fa1");
    assertThat(HEX.formatHex(Multiaddr.parse("/ip6/::1/tcp/4001").bytes()))
        .isEqualTo("29" + "00".repeat(15) + "01060fa1");
    assertThat(HEX.formatHex(Multiaddr.parse("/dns4/example.com/tcp/443").bytes()))
        .isEqualTo("360b6578616d706c652e636f6d0601bb");
    assertThat(HEX.formatHex(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + ID).bytes()))
        .endsWith(
            "a50326"
                + "0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  }

  @Test
  void roundTripsTextAndBinary() {
    for (String s :
        new String[] {
          "/ip4/1.2.3.4/tcp/80",
          "/ip6/2001:db8::1/tcp/443/p2p/" + ID,
          "/dns/example.com/tcp/1",
          "/dns6/h/tcp/2",
          "/ip4/127.0.0.1/udp/9/quic-v1",
          "/ip4/127.0.0.1/tcp/1/ws/p2p-circuit"
        }) {
      Multiaddr m = Multiaddr.parse(s);
      assertThat(m.toString()).isEqualTo(s);
      assertThat(Multiaddr.decode(m.bytes())).isEqualTo(m);
    }
  }

  @Test
  void ipfsIsAnAliasOfP2pAndDecapsulateCutsAtLast() {
    Multiaddr m = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/ipfs/" + ID);
    assertThat(m.toString()).endsWith("/p2p/" + ID);
    assertThat(m.peerId().orElseThrow().toBase58()).isEqualTo(ID);
    assertThat(m.decapsulate(Protocol.P2P).toString()).isEqualTo("/ip4/127.0.0.1/tcp/4001");
    assertThat(m.toTcpSocketAddress().getPort()).isEqualTo(4001);
  }

  @Test
  void rejectsBadTextWithClearMessages() {
    assertThatThrownBy(() -> Multiaddr.parse("ip4/1.2.3.4"))
        .hasMessageContaining("must start with '/'");
    assertThatThrownBy(() -> Multiaddr.parse("/ip4/1.2.3.256"))
        .hasMessageContaining("invalid IPv4");
    assertThatThrownBy(() -> Multiaddr.parse("/ip4/1.2.3.4/tcp/70000"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> Multiaddr.parse("/foo/1"))
        .hasMessageContaining("unknown protocol 'foo'");
    assertThatThrownBy(() -> Multiaddr.parse("/tcp")).hasMessageContaining("/tcp needs a value");
    assertThatThrownBy(() -> Multiaddr.parse("/p2p/notapeer"))
        .hasMessageContaining("not a peer id");
  }

  @Test
  void rejectsBadBinaryWithOffsets() {
    assertThatThrownBy(() -> Multiaddr.decode(HEX.parseHex("047f0000")))
        .hasMessageContaining("/ip4 truncated at offset 0");
    assertThatThrownBy(() -> Multiaddr.decode(HEX.parseHex("047f000001ff7f")))
        .hasMessageContaining("unknown protocol code 16383 at offset 5");
    assertThatThrownBy(() -> Multiaddr.decode(HEX.parseHex("3505616263")))
        .hasMessageContaining("/dns length 5 exceeds");
  }
}
