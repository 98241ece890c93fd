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
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SummaryNoteTest {
  private final Ed25519PrivateKey key = Ed25519PrivateKey.generate();
  private final PeerId peer = PeerId.fromPublicKey(key.publicKey());

  private SummaryNote note(long issued, long expires) {
    return new SummaryNote(
        peer,
        "family-b on composite",
        Cid.rawSha256("summary".getBytes(StandardCharsets.UTF_8)),
        Cid.rawSha256("data".getBytes(StandardCharsets.UTF_8)),
        Cid.rawSha256("model".getBytes(StandardCharsets.UTF_8)),
        Optional.empty(),
        10,
        500,
        12_345,
        160_000,
        List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001")),
        issued,
        expires);
  }

  @Test
  void roundTripsThroughTheSignedEnvelopeAndIsToldApartFromCards() throws Exception {
    SummaryNote n = note(1000, 2000);
    byte[] env = n.seal(key).envelope();
    assertThat(SummaryNote.open(env).note()).isEqualTo(n);
    assertThat(SummaryNote.claims(env)).isTrue();
    assertThatThrownBy(() -> ExpertCard.open(env)).isInstanceOf(CardException.class);
    assertThat(SummaryNote.claims(new byte[] {1, 2, 3})).isFalse();
  }

  @Test
  void tamperedNoteFailsTheSignature() {
    byte[] env = note(1000, 2000).seal(key).envelope();
    int i = new String(env, StandardCharsets.ISO_8859_1).indexOf("family-b");
    env[i] = 'F';
    assertThatThrownBy(() -> SummaryNote.open(env))
        .isInstanceOf(CardException.class)
        .hasMessageContaining("signature does not verify");
  }

  @Test
  void noteRepublishedByAnotherPeerIsRejectedAndAnExpiredOneIsStale() {
    byte[] env = note(1000, 2000).seal(key).envelope();
    PeerId other = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
    Message forged = new Message("amalgam/x/experts", env, other, 1, new byte[0], other);
    assertThatThrownBy(() -> CardGossipCheck.checkAny(forged, 1500))
        .hasMessage("summary note signed by " + peer + " but published by " + other);
    Message late = new Message("amalgam/x/experts", env, peer, 1, new byte[0], peer);
    assertThatThrownBy(() -> CardGossipCheck.checkAny(late, 3000))
        .isInstanceOfSatisfying(CardException.class, e -> assertThat(e.stale()).isTrue());
  }
}
