package dev.amalgam.protocol.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  @Test
  void signedBytesAreVarintPrefixedDomainTypeAndPayload() {
    byte[] b = Envelope.signedBytes("ab", new byte[] {3, 1}, new byte[] {9});
    assertThat(HexFormat.of().formatHex(b)).isEqualTo("0261620203010109");
  }

  @Test
  void sealsAndOpensAndRejectsOtherDomainOrTamperedPayload() {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate();
    byte[] payload = "card".getBytes(StandardCharsets.UTF_8);
    Envelope e = Envelope.seal(key, "amalgam-expert-card", new byte[] {0x03, 0x01}, payload);
    Envelope back = Envelope.open(e.encode(), "amalgam-expert-card");
    assertThat(back).isEqualTo(e);
    assertThatThrownBy(() -> Envelope.open(e.encode(), "libp2p-peer-record"))
        .hasMessageContaining("signature does not verify");
    byte[] tampered = e.encode();
    tampered[tampered.length - 70] ^= 1;
    assertThatThrownBy(() -> Envelope.open(tampered, "amalgam-expert-card"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
