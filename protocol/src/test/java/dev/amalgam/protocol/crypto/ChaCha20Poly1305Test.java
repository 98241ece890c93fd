package dev.amalgam.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.crypto.ChaCha20Poly1305.Implementation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChaCha20Poly1305Test {
  private static final HexFormat HEX = HexFormat.of();

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void matchesRfc8439Section282Example(Implementation impl) throws Exception {
    byte[] key = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = HEX.parseHex("070000004041424344454647");
    byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    byte[] plaintext =
        ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
                + " future, sunscreen would be it.")
            .getBytes(StandardCharsets.US_ASCII);
    String expected =
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
            + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
            + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116"
            + "1ae10b594f09e26a7e902ecbd0600691";
    byte[] sealed = new ChaCha20Poly1305(key, impl).seal(nonce, aad, plaintext);
    assertThat(HEX.formatHex(sealed)).isEqualTo(expected);
    assertThat(new ChaCha20Poly1305(key, impl).open(nonce, aad, sealed)).isEqualTo(plaintext);
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void decryptsRfc8439AppendixA5Example(Implementation impl) throws Exception {
    byte[] key = HEX.parseHex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    byte[] nonce = HEX.parseHex("000000000102030405060708");
    byte[] aad = HEX.parseHex("f33388860000000000004e91");
    byte[] sealed =
        HEX.parseHex(
            "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
                + "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
                + "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
                + "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
                + "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
                + "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
                + "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
                + "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
                + "a6ad5cb4022b02709b"
                + "eead9d67890cbb22392336fea1851f38");
    String plaintext =
        "Internet-Drafts are draft documents valid for a maximum of six months and may be"
            + " updated, replaced, or obsoleted by other documents at any time. It is"
            + " inappropriate to use Internet-Drafts as reference material or to cite them other"
            + " than as /\u201cwork in progress./\u201d";
    byte[] opened = new ChaCha20Poly1305(key, impl).open(nonce, aad, sealed);
    assertThat(new String(opened, StandardCharsets.UTF_8)).isEqualTo(plaintext);
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void producesTheJdkCiphersBytesForManyLengthsAndOpensThem(Implementation impl) throws Exception {
    Random random = new Random(42);
    byte[] key = new byte[32];
    random.nextBytes(key);
    ChaCha20Poly1305 sealer = new ChaCha20Poly1305(key, impl);
    ChaCha20Poly1305 opener = new ChaCha20Poly1305(key, impl);
    Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
    int[] lengths = {
      0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1023, 1024,
      4095, 4096, 4097, 65507, 65519, 65535, 65536, 70000
    };
    int[] extra = random.ints(24, 0, 70001).toArray();
    int[] all = Arrays.copyOf(lengths, lengths.length + extra.length);
    System.arraycopy(extra, 0, all, lengths.length, extra.length);
    long counter = 0;
    for (int length : all) {
      for (int aadLength : new int[] {0, 1 + random.nextInt(40)}) {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        nonce[11] = (byte) counter++; // never the same nonce twice in a row
        byte[] aad = new byte[aadLength];
        random.nextBytes(aad);
        byte[] plaintext = new byte[length];
        random.nextBytes(plaintext);

        jdk.init(
            Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        jdk.updateAAD(aad);
        byte[] expected = jdk.doFinal(plaintext);

        String what = "length " + length + ", aad " + aadLength;
        assertThat(sealer.seal(nonce, aad, plaintext)).as(what).isEqualTo(expected);
        assertThat(opener.open(nonce, aad, expected)).as(what).isEqualTo(plaintext);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void sealsAndOpensInPlaceAtAnOffset(Implementation impl) throws Exception {
    Random random = new Random(3);
    byte[] key = new byte[32];
    random.nextBytes(key);
    byte[] nonce = new byte[12];
    byte[] plaintext = new byte[3001];
    random.nextBytes(plaintext);
    byte[] buffer = new byte[7 + plaintext.length + 16];
    System.arraycopy(plaintext, 0, buffer, 7, plaintext.length);

    new ChaCha20Poly1305(key, impl)
        .seal(nonce, new byte[0], buffer, 7, plaintext.length, buffer, 7);
    assertThat(Arrays.copyOfRange(buffer, 7, buffer.length))
        .isEqualTo(new ChaCha20Poly1305(key, impl).seal(nonce, new byte[0], plaintext));
    new ChaCha20Poly1305(key, impl)
        .open(nonce, new byte[0], buffer, 7, buffer.length - 7, buffer, 7);
    assertThat(Arrays.copyOfRange(buffer, 7, 7 + plaintext.length)).isEqualTo(plaintext);
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void rejectsATamperedCiphertextTagOrAadAndWritesNoPlaintext(Implementation impl) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 9);
    byte[] nonce = new byte[12];
    byte[] aad = {1, 2, 3};
    byte[] sealed = new ChaCha20Poly1305(key, impl).seal(nonce, aad, new byte[100]);
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(key, impl);
    for (int flip : new int[] {0, 50, 99, 100, 115}) {
      byte[] tampered = sealed.clone();
      tampered[flip] ^= 0x01;
      byte[] out = new byte[100];
      Arrays.fill(out, (byte) 0x5a);
      assertThatThrownBy(() -> aead.open(nonce, aad, tampered, 0, tampered.length, out, 0))
          .isInstanceOf(AEADBadTagException.class)
          .hasMessage("chacha20-poly1305: tag mismatch on 100 bytes of ciphertext");
      assertThat(out).as("byte %d flipped", flip).containsOnly(0x5a);
    }
    assertThatThrownBy(() -> aead.open(nonce, new byte[] {1, 2, 4}, sealed))
        .isInstanceOf(AEADBadTagException.class);
    assertThatThrownBy(() -> aead.open(nonce, aad, new byte[15]))
        .isInstanceOf(AEADBadTagException.class)
        .hasMessage("chacha20-poly1305: input of 15 bytes is shorter than the 16-byte tag");
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void refusesBadKeyAndNonceLengthsAndAnImmediateNonceReuse(Implementation impl) {
    assertThatThrownBy(() -> new ChaCha20Poly1305(new byte[16], impl))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chacha20-poly1305: key of 16 bytes, expected 32");
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(new byte[32], impl);
    assertThatThrownBy(() -> aead.seal(new byte[8], new byte[0], new byte[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chacha20-poly1305: nonce of 8 bytes, expected 12");
    aead.seal(new byte[12], new byte[0], new byte[1]);
    assertThatThrownBy(() -> aead.seal(new byte[12], new byte[0], new byte[1]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("chacha20-poly1305: nonce reused with the same key");
  }
}
