package dev.amalgam.protocol.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.ProtoException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KadStoresTest {
  static PeerId randomPeer() {
    return PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
  }

  static byte[] key(int i) {
    return Multihash.sha256(new byte[] {(byte) i, (byte) (i >> 8)}).bytes();
  }

  @Test
  void providerStoreStaysWithinItsKeyAndPerKeyBounds() {
    ProviderStore s = new ProviderStore(100, 5, Duration.ofHours(1));
    Multiaddr a = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
    PeerId one = randomPeer();
    for (int i = 0; i < 1000; i++) {
      s.add(key(i), one, List.of(a));
    }
    for (int i = 0; i < 20; i++) {
      s.add(key(999), randomPeer(), List.of(a));
    }
    assertThat(s.keyCount()).isEqualTo(100);
    assertThat(s.get(key(999))).hasSize(5);
    assertThat(s.get(key(0))).isEmpty();
  }

  @Test
  void providerStoreForgetsExpiredEntries() throws Exception {
    ProviderStore s = new ProviderStore(10, 5, Duration.ofMillis(1));
    s.add(key(1), randomPeer(), List.of());
    Thread.sleep(5);
    assertThat(s.get(key(1))).isEmpty();
    s.add(key(2), randomPeer(), List.of());
    Thread.sleep(5);
    s.expire();
    assertThat(s.keyCount()).isZero();
  }

  @Test
  void routingTableKeepsAtMostKPeersPerBucketAndPromotesReplacements() {
    PeerId self = randomPeer();
    RoutingTable t = new RoutingTable(self, 3);
    List<PeerId> added = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      PeerId p = randomPeer();
      t.add(p);
      added.add(p);
    }
    // bucket 0 holds half of all random peers but only k of them
    KadId me = KadId.of(self.bytes());
    long inBucket0 =
        t.peers().stream().filter(p -> me.commonPrefixLength(KadId.of(p.bytes())) == 0).count();
    assertThat(inBucket0).isEqualTo(3);
    PeerId member =
        t.peers().stream()
            .filter(p -> me.commonPrefixLength(KadId.of(p.bytes())) == 0)
            .findFirst()
            .orElseThrow();
    t.remove(member);
    assertThat(t.contains(member)).isFalse();
    assertThat(
            t.peers().stream().filter(p -> me.commonPrefixLength(KadId.of(p.bytes())) == 0).count())
        .isEqualTo(3);
  }

  @Test
  void closestReturnsPeersOrderedByXorDistance() {
    RoutingTable t = new RoutingTable(randomPeer(), 20);
    for (int i = 0; i < 100; i++) {
      t.add(randomPeer());
    }
    KadId target = KadId.of(key(7));
    List<PeerId> c = t.closest(target, 10);
    assertThat(c).hasSize(10);
    for (int i = 1; i < c.size(); i++) {
      assertThat(target.compareDistance(KadId.of(c.get(i - 1).bytes()), KadId.of(c.get(i).bytes())))
          .isNegative();
    }
  }

  @Test
  void messageRoundTripsAllFields() {
    PeerId p = randomPeer();
    KadMessage m =
        new KadMessage(
            KadMessage.Type.GET_PROVIDERS,
            key(1),
            new KadRecord("/pk/x".getBytes(), new byte[] {1, 2}, "2026-01-01T00:00:00Z"),
            List.of(new KadPeer(p, List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/9")))),
            List.of(new KadPeer(p, List.of())));
    KadMessage back = KadMessage.decode(m.encode());
    assertThat(back.type()).isEqualTo(KadMessage.Type.GET_PROVIDERS);
    assertThat(back.key()).isEqualTo(key(1));
    assertThat(back.record().value()).containsExactly(1, 2);
    assertThat(back.record().timeReceived()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(back.closerPeers().get(0).addrs()).hasSize(1);
    assertThat(back.providerPeers().get(0).id()).isEqualTo(p);
  }

  @Test
  void missingTypeDecodesAsPutValue() {
    assertThat(KadMessage.decode(new byte[] {0x12, 0x01, 0x41}).type())
        .isEqualTo(KadMessage.Type.PUT_VALUE);
  }

  @Test
  void rejectsPeerWithInvalidIdNamingTheField() {
    byte[] peer = {0x0a, 0x02, 0x01, 0x02};
    byte[] msg = new byte[2 + peer.length];
    msg[0] = 0x42;
    msg[1] = (byte) peer.length;
    System.arraycopy(peer, 0, msg, 2, peer.length);
    assertThatThrownBy(() -> KadMessage.decode(msg))
        .isInstanceOf(ProtoException.class)
        .hasMessageContaining("kad Peer: field id (1)");
  }

  @Test
  void rejectsUnknownMessageType() {
    assertThatThrownBy(() -> KadMessage.decode(new byte[] {0x08, 0x09}))
        .hasMessageContaining("unknown message type 9");
  }

  @Test
  void publicKeyValidatorAcceptsOnlyTheMatchingKey() {
    var key = Ed25519PrivateKey.generate().publicKey();
    byte[] k = PublicKeyValidator.keyFor(PeerId.fromPublicKey(key));
    PublicKeyValidator v = new PublicKeyValidator();
    v.validate(k, key.marshal());
    assertThatThrownBy(() -> v.validate(k, Ed25519PrivateKey.generate().publicKey().marshal()))
        .hasMessageContaining("does not hash to the key");
  }
}
