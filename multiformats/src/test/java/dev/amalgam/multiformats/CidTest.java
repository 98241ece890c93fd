package dev.amalgam.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CidTest {
  @Test
  void rawBlockOfHelloWorldHasTheWellKnownCid() {
    // `ipfs block put --cid-codec raw` of "hello world" (no newline) gives this CIDv1.
    Cid cid = Cid.rawSha256("hello world".getBytes(StandardCharsets.UTF_8));
    assertThat(cid.toString())
        .isEqualTo("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  }

  @Test
  void parsesItsOwnTextForm() {
    Cid cid = Cid.rawSha256(new byte[] {1, 2, 3});
    assertThat(Cid.parse(cid.toString())).isEqualTo(cid);
  }

  @Test
  void peerIdTextVectorDecodesAsLibp2pKeyCid() {
    Cid cid = Cid.parse("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6");
    assertThat(cid.codec()).isEqualTo(Cid.LIBP2P_KEY);
    assertThat(HexFormat.of().formatHex(cid.multihash().bytes()))
        .isEqualTo("0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
    assertThat(Base58.encode(cid.multihash().bytes()))
        .isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
  }

  @Test
  void cidV0RoundTripsThroughBase58() {
    Cid v0 = Cid.v0(Multihash.sha256(new byte[] {42}));
    assertThat(v0.toString()).startsWith("Qm").hasSize(46);
    assertThat(Cid.parse(v0.toString())).isEqualTo(v0);
  }

  @Test
  void rejectsGarbageWithTheOffendingText() {
    assertThatThrownBy(() -> Cid.parse("bnot-a-cid!"))
        .isInstanceOf(MultiformatException.class)
        .hasMessageContaining("'bnot-a-cid!' is not a CID");
  }

  @Test
  void rejectsTruncatedDigest() {
    byte[] bytes = Cid.rawSha256(new byte[] {1}).bytes();
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThatThrownBy(() -> Cid.decode(cut)).hasMessageContaining("exceeds");
  }

  @Test
  void base58HandlesLeadingZeros() {
    byte[] data = {0, 0, 1, 2};
    assertThat(Base58.decode(Base58.encode(data))).isEqualTo(data);
    assertThat(Base58.encode(data)).startsWith("11");
  }
}
