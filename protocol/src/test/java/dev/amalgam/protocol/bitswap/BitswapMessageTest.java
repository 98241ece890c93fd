package dev.amalgam.protocol.bitswap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import dev.amalgam.multiformats.Varint;
import dev.amalgam.protocol.proto.ProtoException;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BitswapMessageTest {
  private static final byte[] DATA = "hello bitswap".getBytes(StandardCharsets.UTF_8);
  private static final Cid RAW = Cid.rawSha256(DATA);
  private static final Cid V0 = Cid.v0(Multihash.sha256(DATA));

  private static byte[] body(byte[] frame) {
    Varint.Decoded len = Varint.decode(frame, 0);
    assertThat(len.value()).isEqualTo(frame.length - len.length());
    return Arrays.copyOfRange(frame, len.length(), frame.length);
  }

  @Test
  void roundTripsWantsBlocksPresencesAndPendingBytes() {
    Cid other = Cid.rawSha256(new byte[] {1, 2, 3});
    BitswapMessage m =
        new BitswapMessage(
            List.of(
                WantEntry.block(RAW, 7),
                WantEntry.have(other, -3),
                WantEntry.cancel(V0),
                new WantEntry(other, 0, false, WantType.BLOCK, false)),
            true,
            List.of(Block.of(RAW, ByteBuffer.wrap(DATA))),
            List.of(new BlockPresence(other, true), new BlockPresence(V0, false)),
            12345);
    BitswapMessage back = BitswapMessage.decode(body(m.encodeFrame(false)));
    assertThat(back.wants()).isEqualTo(m.wants());
    assertThat(back.fullWantlist()).isTrue();
    assertThat(back.presences()).isEqualTo(m.presences());
    assertThat(back.pendingBytes()).isEqualTo(12345);
    assertThat(back.blocks()).hasSize(1);
    assertThat(back.blocks().get(0).computeCid()).isEqualTo(RAW);
    assertThat(back.blocks().get(0).data()).isEqualTo(ByteBuffer.wrap(DATA));
  }

  @Test
  void legacyEncodingCarriesCidV0BlocksWithoutPrefixAndDropsPresences() {
    BitswapMessage m =
        new BitswapMessage(
            List.of(WantEntry.have(RAW, 1)),
            false,
            List.of(Block.of(V0, ByteBuffer.wrap(DATA))),
            List.of(new BlockPresence(RAW, true)),
            99);
    BitswapMessage back = BitswapMessage.decode(body(m.encodeFrame(true)));
    assertThat(back.blocks().get(0).computeCid()).isEqualTo(V0);
    assertThat(back.presences()).isEmpty();
    assertThat(back.pendingBytes()).isZero();
    assertThat(back.wants().get(0).type()).isEqualTo(WantType.BLOCK);
  }

  @Test
  void corruptedBlockDataHashesToAnotherCid() {
    byte[] bad = DATA.clone();
    bad[0] ^= 1;
    assertThat(new Block(Block.prefixOf(RAW), ByteBuffer.wrap(bad)).computeCid()).isNotEqualTo(RAW);
  }

  @Test
  void rejectsBlockPrefixWithUnverifiableHash() {
    byte[] identityPrefix = {1, 0x55, 0x00, 5};
    assertThatThrownBy(() -> new Block(identityPrefix, ByteBuffer.wrap(DATA)).computeCid())
        .isInstanceOf(ProtoException.class)
        .hasMessageContaining("only sha2-256");
    byte[] trailing = {1, 0x55, 0x12, 0x20, 0};
    assertThatThrownBy(() -> new Block(trailing, ByteBuffer.wrap(DATA)).computeCid())
        .hasMessageContaining("trailing");
  }

  @Test
  void rejectsTruncatedMessageWithOffset() {
    byte[] body = body(BitswapMessage.ofWants(List.of(WantEntry.block(RAW, 1))).encodeFrame(false));
    byte[] cut = Arrays.copyOf(body, body.length - 3);
    assertThatThrownBy(() -> BitswapMessage.decode(cut))
        .isInstanceOf(ProtoException.class)
        .hasMessageContaining("bitswap message")
        .hasMessageContaining("offset");
  }

  @Test
  void rejectsWantEntryWithoutCidOrWithGarbageCid() {
    byte[] noCid =
        new ProtoWriter()
            .message(1, new ProtoWriter().message(1, new ProtoWriter().varint(2, 5)))
            .toByteArray();
    assertThatThrownBy(() -> BitswapMessage.decode(noCid))
        .isInstanceOf(ProtoException.class)
        .hasMessageContaining("missing field 1");
    byte[] badCid =
        new ProtoWriter()
            .message(
                1, new ProtoWriter().message(1, new ProtoWriter().bytes(1, new byte[] {7, 7, 7})))
            .toByteArray();
    assertThatThrownBy(() -> BitswapMessage.decode(badCid))
        .isInstanceOf(ProtoException.class)
        .hasMessageContaining("not a CID");
  }

  @Test
  void rejectsUnknownWantTypeAndPresenceType() {
    byte[] wantType =
        new ProtoWriter()
            .message(
                1,
                new ProtoWriter().message(1, new ProtoWriter().bytes(1, RAW.bytes()).varint(4, 9)))
            .toByteArray();
    assertThatThrownBy(() -> BitswapMessage.decode(wantType)).hasMessageContaining("wantType 9");
    byte[] presence =
        new ProtoWriter()
            .message(4, new ProtoWriter().bytes(1, RAW.bytes()).varint(2, 4))
            .toByteArray();
    assertThatThrownBy(() -> BitswapMessage.decode(presence))
        .hasMessageContaining("presence type 4");
  }

  @Test
  void skipsUnknownFields() {
    byte[] m =
        new ProtoWriter()
            .varint(9, 1)
            .message(4, new ProtoWriter().bytes(1, RAW.bytes()).bytes(7, new byte[] {1}))
            .toByteArray();
    assertThat(BitswapMessage.decode(m).presences()).containsExactly(new BlockPresence(RAW, true));
  }
}
