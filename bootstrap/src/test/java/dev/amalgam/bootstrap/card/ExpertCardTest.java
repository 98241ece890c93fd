package dev.amalgam.bootstrap.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.pubsub.Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExpertCardTest {
  private final Ed25519PrivateKey key = Ed25519PrivateKey.generate();
  private final PeerId peer = PeerId.fromPublicKey(key.publicKey());

  private ExpertCard card(long issued, long expires) {
    return new ExpertCard(
        peer,
        "arith",
        Cid.rawSha256("expert".getBytes(StandardCharsets.UTF_8)),
        Cid.rawSha256("family".getBytes(StandardCharsets.UTF_8)),
        Optional.of(Cid.rawSha256("tok".getBytes(StandardCharsets.UTF_8))),
        Optional.empty(),
        List.of("math", "arithmetic"),
        Map.of("arithmetic", 0.98),
        123_456,
        List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001")),
        issued,
        expires);
  }

  @Test
  void roundTripsThroughTheSignedEnvelope() throws Exception {
    ExpertCard c = card(1000, 2000);
    ExpertCard.Signed s = c.seal(key);
    assertThat(ExpertCard.open(s.envelope()).card()).isEqualTo(c);
  }

  @Test
  void mergeProvenanceRoundTripsThroughTheSignedEnvelope() throws Exception {
    ExpertCard plain = card(1000, 2000);
    Cid a = Cid.rawSha256("a".getBytes(StandardCharsets.UTF_8));
    Cid b = Cid.rawSha256("b".getBytes(StandardCharsets.UTF_8));
    ExpertCard merged =
        new ExpertCard(
            plain.peer(),
            plain.name(),
            plain.expertId(),
            plain.familyId(),
            plain.tokenizerId(),
            plain.baseId(),
            plain.tags(),
            plain.scores(),
            plain.sizeBytes(),
            plain.addrs(),
            1000,
            2000,
            List.of(a, b),
            Optional.of("ab".repeat(32)));
    ExpertCard back = ExpertCard.open(merged.seal(key).envelope()).card();
    assertThat(back).isEqualTo(merged);
    assertThat(back.mergedFrom()).containsExactly(a, b);
    assertThat(ExpertCard.open(plain.seal(key).envelope()).card().mergedFrom()).isEmpty();
  }

  @Test
  void tamperedPayloadFailsTheSignature() {
    byte[] env = card(1000, 2000).seal(key).envelope();
    int i = new String(env, StandardCharsets.ISO_8859_1).indexOf("arith");
    env[i] = 'A';
    assertThatThrownBy(() -> ExpertCard.open(env))
        .isInstanceOf(CardException.class)
        .hasMessageContaining("signature does not verify");
  }

  @Test
  void cardPublishedByAnotherPeerIsRejected() {
    byte[] env = card(1000, Long.MAX_VALUE / 2).seal(key).envelope();
    PeerId other = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
    Message m = new Message("amalgam/x/experts", env, other, 1, new byte[0], other);
    assertThatThrownBy(() -> CardGossipCheck.check(m, 1500))
        .hasMessage("card signed by " + peer + " but published by " + other);
  }

  @Test
  void expiredCardIsStaleNotForged() {
    byte[] env = card(1000, 2000).seal(key).envelope();
    Message m = new Message("amalgam/x/experts", env, peer, 1, new byte[0], peer);
    assertThatThrownBy(() -> CardGossipCheck.check(m, 3000))
        .isInstanceOfSatisfying(CardException.class, e -> assertThat(e.stale()).isTrue());
  }
}
