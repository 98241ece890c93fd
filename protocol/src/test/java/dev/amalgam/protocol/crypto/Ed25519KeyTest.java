package dev.amalgam.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519KeyTest {
  @Test
  void matchesRfc8032TestVector1() {
    HexFormat hex = HexFormat.of();
    byte[] seed = hex.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(seed);
    assertThat(hex.formatHex(key.publicKey().raw()))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assertThat(hex.formatHex(key.sign(new byte[0])))
        .isEqualTo(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  }

  @Test
  void signsAndVerifiesAndRejectsTamperedMessages() {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate();
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] sig = key.sign(msg);
    assertThat(key.publicKey().verify(msg, sig)).isTrue();
    assertThat(key.publicKey().verify("hellp".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
    assertThat(key.publicKey().verify(msg, Arrays.copyOf(sig, 63))).isFalse();
  }

  @Test
  void publicKeyProtobufIs36BytesAndRoundTrips() {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate();
    byte[] enc = key.publicKey().marshal();
    assertThat(enc).hasSize(36);
    assertThat(Arrays.copyOf(enc, 4)).containsExactly(0x08, 0x01, 0x12, 0x20);
    assertThat(PublicKey.unmarshal(enc)).isEqualTo(key.publicKey());
  }

  @Test
  void privateKeyRoundTripsIncludingLegacy96ByteForm() {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate();
    PrivateKey back = PrivateKey.unmarshal(key.marshal());
    assertThat(back.publicKey()).isEqualTo(key.publicKey());
    byte[] legacy = new byte[96];
    System.arraycopy(key.raw(), 0, legacy, 0, 64);
    System.arraycopy(key.publicKey().raw(), 0, legacy, 64, 32);
    assertThat(Ed25519PrivateKey.fromLibp2pData(legacy).publicKey()).isEqualTo(key.publicKey());
    legacy[95] ^= 1;
    assertThatThrownBy(() -> Ed25519PrivateKey.fromLibp2pData(legacy))
        .hasMessageContaining("copies differ");
  }

  @Test
  void rejectsUnsupportedTypeAndMissingFields() {
    assertThatThrownBy(() -> PublicKey.unmarshal(HexFormat.of().parseHex("080012020000")))
        .hasMessageContaining("unsupported key type RSA");
    assertThatThrownBy(() -> PublicKey.unmarshal(HexFormat.of().parseHex("0801")))
        .hasMessageContaining("missing field Data (2)");
    assertThatThrownBy(() -> PublicKey.unmarshal(HexFormat.of().parseHex("08011205aa")))
        .hasMessageContaining("PublicKey: field 2 length 5 exceeds");
  }
}
