package dev.amalgam.protocol.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ProtoReaderTest {
  @Test
  void readsWhatTheWriterWrites() {
    byte[] b =
        new ProtoWriter().varint(1, 300).string(3, "hé").bytes(4, new byte[] {1}).toByteArray();
    ProtoReader r = new ProtoReader("T", b);
    assertThat(r.next()).isTrue();
    assertThat(r.varint()).isEqualTo(300);
    assertThat(r.next()).isTrue();
    assertThat(r.string()).isEqualTo("hé");
    assertThat(r.next()).isTrue();
    assertThat(r.bytes()).containsExactly(1);
    assertThat(r.next()).isFalse();
  }

  @Test
  void skipsUnknownFieldsOfEveryWireType() {
    byte[] b = HexFormat.of().parseHex("0d0102030409010203040506070810011a00");
    ProtoReader r = new ProtoReader("T", b);
    int n = 0;
    while (r.next()) {
      r.skip();
      n++;
    }
    assertThat(n).isEqualTo(4);
  }

  @Test
  void rejectsTruncationWrongWireTypeAndGroups() {
    assertThatThrownBy(() -> read("0a05aa"))
        .hasMessage("T: field 1 length 5 exceeds the 1 bytes left at offset 0");
    assertThatThrownBy(() -> read("08")).hasMessageContaining("truncated varint");
    assertThatThrownBy(() -> read("0b")).hasMessageContaining("unsupported wire type 3");
    assertThatThrownBy(
            () -> {
              ProtoReader r = new ProtoReader("T", HexFormat.of().parseHex("0801"));
              r.next();
              r.bytes();
            })
        .hasMessageContaining("field 1 has wire type 0, expected 2");
  }

  private static void read(String hex) {
    ProtoReader r = new ProtoReader("T", HexFormat.of().parseHex(hex));
    while (r.next()) {
      r.skip();
    }
  }
}
