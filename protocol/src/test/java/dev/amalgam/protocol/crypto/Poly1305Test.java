package dev.amalgam.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Poly1305Test {
  private static final HexFormat HEX = HexFormat.of();

  private static String tag(String keyHex, byte[] message) {
    Poly1305 mac = new Poly1305();
    mac.init(HEX.parseHex(keyHex), 0);
    mac.update(message, 0, message.length);
    byte[] tag = new byte[Poly1305.TAG_LENGTH];
    mac.finish(tag, 0);
    return HEX.formatHex(tag);
  }

  private static String tag(String keyHex, String messageHex) {
    return tag(keyHex, HEX.parseHex(messageHex));
  }

  @Test
  void matchesRfc8439Section252Example() {
    byte[] message = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
    assertThat(tag("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b", message))
        .isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
  }

  @Test
  void matchesRfc8439AppendixA3ZeroKeyAndJabberwocky() {
    assertThat(tag("00".repeat(32), new byte[64])).isEqualTo("00".repeat(16)); // #1
    // #2: with r = 0 the tag is s whatever the text
    assertThat(
            tag(
                "00".repeat(16) + "36e5f6b5c5e06070f0efca96227a863e",
                "Any submission to the IETF".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("36e5f6b5c5e06070f0efca96227a863e");
    byte[] jabberwocky =
        ("'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\n"
                + "All mimsy were the borogoves,\nAnd the mome raths outgrabe.")
            .getBytes(StandardCharsets.US_ASCII);
    assertThat(tag("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0", jabberwocky))
        .isEqualTo("4541669a7eaaee61e708dc7cbcc5eb62"); // #4
  }

  @Test
  void matchesRfc8439AppendixA3ReductionEdgeCases() {
    String zero = "00".repeat(16);
    String ff = "ff".repeat(16);
    String r1 = "01" + "00".repeat(15);
    String r2 = "02" + "00".repeat(15);
    String r10 = "0100000000000000" + "0400000000000000";
    String m10 = "e33594d7505e43b900000000000000003394d7505e4379cd0100000000000000" + zero;
    assertThat(tag(r2 + zero, ff)).isEqualTo("03" + "00".repeat(15)); // #5
    assertThat(tag(r2 + ff, r2)).isEqualTo("03" + "00".repeat(15)); // #6
    assertThat(tag(r1 + zero, ff + "f0" + "ff".repeat(15) + "11" + "00".repeat(15)))
        .isEqualTo("05" + "00".repeat(15)); // #7
    assertThat(tag(r1 + zero, ff + "fb" + "fe".repeat(15) + "01".repeat(16))).isEqualTo(zero); // #8
    assertThat(tag(r2 + zero, "fd" + "ff".repeat(15))).isEqualTo("fa" + "ff".repeat(15)); // #9
    assertThat(tag(r10 + zero, m10 + "01" + "00".repeat(15)))
        .isEqualTo("14000000000000005500000000000000"); // #10
    assertThat(tag(r10 + zero, m10)).isEqualTo("13000000000000000000000000000000"); // #11
  }

  @Test
  void givesTheSameTagWhateverTheUpdateSplit() {
    Random random = new Random(7);
    byte[] key = new byte[32];
    random.nextBytes(key);
    for (int length : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 1000, 4099}) {
      byte[] message = new byte[length];
      random.nextBytes(message);
      String whole = tag(HEX.formatHex(key), message);
      Poly1305 mac = new Poly1305();
      mac.init(key, 0);
      for (int off = 0; off < length; ) {
        int n = Math.min(length - off, 1 + random.nextInt(40));
        mac.update(message, off, n);
        off += n;
      }
      byte[] tag = new byte[16];
      mac.finish(tag, 0);
      assertThat(HEX.formatHex(tag)).as("length %d", length).isEqualTo(whole);
    }
  }

  @Test
  void refusesUseWithoutAFreshKeyAndShortKeys() {
    Poly1305 mac = new Poly1305();
    assertThatThrownBy(() -> mac.update(new byte[16], 0, 16))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("init with a one-time key");
    mac.init(new byte[32], 0);
    mac.finish(new byte[16], 0);
    assertThatThrownBy(() -> mac.finish(new byte[16], 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> mac.init(new byte[40], 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("poly1305: key needs 32 bytes at offset 10, the array has 40");
  }
}
