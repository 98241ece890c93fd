package dev.amalgam.protocol.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.crypto.PublicKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PeerIdTest {
  private static final byte[] SPEC_KEY =
      HexFormat.of()
          .parseHex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");

  @Test
  void derivesSpecVectorBase58AndCidForms() {
    PeerId id = PeerId.fromPublicKey(PublicKey.unmarshal(SPEC_KEY));
    assertThat(id.toBase58()).isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
    assertThat(id.toCidString())
        .isEqualTo("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6");
    assertThat(HexFormat.of().formatHex(id.bytes()))
        .isEqualTo("0024" + HexFormat.of().formatHex(SPEC_KEY));
  }

  @Test
  void parsesBothTextFormsToTheSameId() {
    PeerId a = PeerId.parse("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
    PeerId b = PeerId.parse("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6");
    assertThat(a).isEqualTo(b);
    assertThat(a.inlinedPublicKey()).contains(PublicKey.unmarshal(SPEC_KEY));
  }

  @Test
  void rejectsCidWithWrongCodec() {
    assertThatThrownBy(
            () -> PeerId.parse("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"))
        .hasMessageContaining("libp2p-key");
  }

  @Test
  void rejectsGarbageText() {
    assertThatThrownBy(() -> PeerId.parse("12D3KooW0000")).hasMessageContaining("not a peer id");
  }

  @Test
  void generatedKeyIdStartsWith12D3KooW() {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate();
    PeerId id = PeerId.fromPublicKey(key.publicKey());
    assertThat(id.toBase58()).startsWith("12D3KooW");
    assertThat(PeerId.parse(id.toBase58())).isEqualTo(id);
    assertThat(id.matches(key.publicKey())).isTrue();
  }
}
