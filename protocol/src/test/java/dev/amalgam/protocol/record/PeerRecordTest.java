package dev.amalgam.protocol.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerRecordTest {
  private final Ed25519PrivateKey key = Ed25519PrivateKey.generate();
  private final PeerId id = PeerId.fromPublicKey(key.publicKey());
  private final List<Multiaddr> addrs =
      List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001"), Multiaddr.parse("/dns4/h/tcp/1"));

  @Test
  void sealsAndOpensWithPayloadType0301() {
    Envelope e = new PeerRecord(id, 42, addrs).seal(key);
    assertThat(e.payloadType()).containsExactly(0x03, 0x01);
    PeerRecord back = PeerRecord.open(e.encode());
    assertThat(back).isEqualTo(new PeerRecord(id, 42, addrs));
  }

  @Test
  void rejectsRecordSignedByAnotherKeyAndWrongPayloadType() {
    Ed25519PrivateKey other = Ed25519PrivateKey.generate();
    byte[] forged =
        Envelope.seal(
                other,
                PeerRecord.DOMAIN,
                PeerRecord.PAYLOAD_TYPE,
                new PeerRecord(id, 1, addrs).encode())
            .encode();
    assertThatThrownBy(() -> PeerRecord.open(forged)).hasMessageContaining("signed by another key");
    byte[] wrongType =
        Envelope.seal(key, PeerRecord.DOMAIN, new byte[] {1}, new PeerRecord(id, 1, addrs).encode())
            .encode();
    assertThatThrownBy(() -> PeerRecord.open(wrongType))
        .hasMessageContaining("payload type 01, expected 0301");
    assertThatThrownBy(() -> new PeerRecord(id, 1, addrs).seal(other))
        .hasMessageContaining("key does not belong");
  }
}
