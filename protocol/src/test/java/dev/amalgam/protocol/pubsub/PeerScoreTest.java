package dev.amalgam.protocol.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.peer.PeerId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeerScoreTest {
  static final long S = 1_000_000_000L;
  final PeerId peer = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());

  @Test
  void timeInMeshAddsP1UpToItsCap() {
    PeerScore s = new PeerScore(ScoreParams.defaults());
    s.grafted(peer, "t", 0);
    assertThat(s.score(peer, 50 * S)).isCloseTo(0.5, within(1e-9));
    assertThat(s.score(peer, 1000 * S)).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void firstDeliveriesAddP2CappedAndDecaying() {
    PeerScore s = new PeerScore(ScoreParams.defaults());
    for (int i = 0; i < 30; i++) {
      s.firstDelivery(peer, "t");
    }
    assertThat(s.score(peer, 0)).isEqualTo(20.0);
    s.decay(0);
    assertThat(s.score(peer, 0)).isEqualTo(10.0);
  }

  @Test
  void meshDeliveryDeficitCountsOnlyAfterActivationAndStaysAsP3bAfterPrune() {
    ScoreParams p = ScoreParams.defaults().withMeshDeliveries(-1, 4, Duration.ofSeconds(5));
    PeerScore s = new PeerScore(p);
    s.grafted(peer, "t", 0);
    s.decay(1 * S);
    assertThat(s.score(peer, 1 * S)).isGreaterThanOrEqualTo(0);
    s.decay(6 * S);
    s.firstDelivery(peer, "t");
    // deficit 3 -> -9, plus P1 (6 s * 0.01) and P2 (1)
    assertThat(s.score(peer, 6 * S)).isCloseTo(-9 + 0.06 + 1, within(1e-9));
    s.pruned(peer, "t");
    assertThat(s.score(peer, 6 * S)).isCloseTo(-9 + 1, within(1e-9));
  }

  @Test
  void invalidMessagesAndBehaviourPenaltiesAreSquared() {
    PeerScore s = new PeerScore(ScoreParams.defaults());
    s.invalidDelivery(peer, "t");
    s.invalidDelivery(peer, "t");
    assertThat(s.score(peer, 0)).isEqualTo(-40.0);
    PeerScore b = new PeerScore(ScoreParams.defaults());
    b.behaviourPenalty(peer, 3);
    assertThat(b.score(peer, 0)).isEqualTo(-90.0);
  }

  @Test
  void disconnectedPeersAreForgottenAfterRetainScore() {
    PeerScore s = new PeerScore(ScoreParams.defaults());
    s.invalidDelivery(peer, "t");
    s.disconnected(peer, 0);
    s.decay(30 * S);
    assertThat(s.score(peer, 30 * S)).isNegative();
    s.decay(61 * S);
    assertThat(s.trackedPeers()).isZero();
  }
}
