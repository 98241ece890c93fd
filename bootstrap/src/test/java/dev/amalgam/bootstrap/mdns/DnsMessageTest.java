package dev.amalgam.bootstrap.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
  private final PeerId self = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
  private final PeerId other = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());

  private DnsMessage answerFrom(PeerId peer, String name) {
    return new DnsMessage(
        0,
        DnsMessage.FLAG_RESPONSE,
        List.of(),
        List.of(
            DnsMessage.Record.ptr(MdnsDiscovery.SERVICE, name + "." + MdnsDiscovery.SERVICE, 120)),
        List.of(
            DnsMessage.Record.txt(
                name + "." + MdnsDiscovery.SERVICE,
                List.of("dnsaddr=/ip4/10.0.0.2/tcp/4001/p2p/" + peer, "other=x"),
                120)));
  }

  @Test
  void responseRoundTripsAndNamesThePeer() {
    DnsMessage m =
        DnsMessage.decode(answerFrom(other, "abcdefghijabcdefghijabcdefghij12").encode());
    assertThat(m.isResponse()).isTrue();
    assertThat(MdnsDiscovery.peersIn(m, self))
        .containsOnlyKeys(other)
        .containsEntry(other, List.of(Multiaddr.parse("/ip4/10.0.0.2/tcp/4001/p2p/" + other)));
  }

  @Test
  void ownAnswerIsNotAPeer() {
    DnsMessage m = DnsMessage.decode(answerFrom(self, "selfselfselfselfselfselfselfself").encode());
    assertThat(MdnsDiscovery.peersIn(m, self)).isEmpty();
  }

  @Test
  void readsCompressedNames() {
    byte[] q =
        new DnsMessage(
                7,
                0,
                List.of(new DnsMessage.Question(MdnsDiscovery.SERVICE, 12)),
                List.of(),
                List.of())
            .encode();
    // a PTR answer whose owner name points back at the question's name (offset 12)
    byte[] answer = {
      (byte) 0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 120, 0, 6, 3, 'a', 'b', 'c', (byte) 0xc0, 12
    };
    byte[] msg = Arrays.copyOf(q, q.length + answer.length);
    System.arraycopy(answer, 0, msg, q.length, answer.length);
    msg[2] = (byte) 0x84;
    msg[7] = 1;
    DnsMessage m = DnsMessage.decode(msg);
    assertThat(m.answers())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.name()).isEqualTo(MdnsDiscovery.SERVICE);
              assertThat(r.target()).isEqualTo("abc." + MdnsDiscovery.SERVICE);
            });
  }

  @Test
  void truncatedMessageNamesTheOffset() {
    byte[] full = answerFrom(other, "abcdefghijabcdefghijabcdefghij12").encode();
    assertThatThrownBy(() -> DnsMessage.decode(Arrays.copyOf(full, 20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset");
  }

  @Test
  void pointerLoopIsRejected() {
    byte[] msg = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 12, 0, 1};
    assertThatThrownBy(() -> DnsMessage.decode(msg)).hasMessageContaining("pointer loop");
  }
}
