package dev.amalgam.bootstrap.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.pubsub.Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundMessagesTest {
  private final Ed25519PrivateKey key = Ed25519PrivateKey.generate();
  private final PeerId peer = PeerId.fromPublicKey(key.publicKey());
  private final Cid a = Cid.rawSha256("a".getBytes(StandardCharsets.UTF_8));
  private final Cid b = Cid.rawSha256("b".getBytes(StandardCharsets.UTF_8));
  private final DevSet dev = new DevSet("dev", List.of("arithmetic", "relational"), 8, 1, 64);

  private RoundProposal proposal(String recipe) {
    return new RoundProposal(peer, "fed", recipe, List.of(a, b), dev, 1234);
  }

  @Test
  void devSetIdIsTheRawCidOfItsCanonicalJson() {
    assertThat(dev.canonicalJson())
        .isEqualTo(
            "{\"max_tokens\":64,\"n\":8,\"seed\":1,\"split\":\"dev\","
                + "\"tasks\":[\"arithmetic\",\"relational\"]}");
    assertThat(dev.id())
        .isEqualTo(Cid.rawSha256(dev.canonicalJson().getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void proposalRoundTripsAndItsIdIsTheCidOfTheEnvelope() throws Exception {
    RoundProposal.Signed s = proposal("merge_method: linear\n").seal(key);
    RoundMessages.Opened o = RoundMessages.open(s.envelope());
    assertThat(o).isInstanceOf(RoundMessages.Proposal.class);
    RoundProposal.Signed back = ((RoundMessages.Proposal) o).signed();
    assertThat(back.proposal()).isEqualTo(s.proposal());
    assertThat(back.id()).isEqualTo(Cid.rawSha256(s.envelope())).isEqualTo(s.id());
    assertThat(back.proposal().recipeSha256()).hasSize(64);
  }

  @Test
  void resultRoundTripsWithScores() throws Exception {
    RoundResult r = new RoundResult(peer, a, b, dev.id(), Map.of("arithmetic", 0.5), 99);
    RoundMessages.Opened o = RoundMessages.open(r.seal(key).envelope());
    assertThat(((RoundMessages.Result) o).signed().result()).isEqualTo(r);
  }

  @Test
  void rejectsATamperedEnvelope() {
    byte[] env = proposal("merge_method: linear\n").seal(key).envelope();
    env[env.length - 70] ^= 1;
    assertThatThrownBy(() -> RoundMessages.open(env)).isInstanceOf(RoundException.class);
  }

  @Test
  void rejectsAMessagePublishedByAnotherPeerThanItsSigner() {
    byte[] env = proposal("merge_method: linear\n").seal(key).envelope();
    PeerId other = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
    Message m = new Message("t", env, other, 1, new byte[] {1}, other);
    assertThatThrownBy(() -> RoundMessages.check(m))
        .isInstanceOf(RoundException.class)
        .hasMessageContaining("but published by " + other);
  }

  @Test
  void rejectsADevSetOutOfRange() {
    assertThatThrownBy(() -> new DevSet("dev", List.of("arithmetic"), 0, 1, 64).validated())
        .hasMessageContaining("dev set n 0");
    assertThatThrownBy(() -> new DevSet("valid", List.of("arithmetic"), 1, 1, 64).validated())
        .hasMessageContaining("split 'valid'");
  }
}
