package dev.amalgam.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VarintTest {
  @ParameterizedTest
  @CsvSource({"1,01", "127,7f", "128,8001", "255,ff01", "300,ac02", "16384,808001"})
  void encodesTheSpecVectors(long value, String hex) {
    assertThat(HexFormat.of().formatHex(Varint.encode(value))).isEqualTo(hex);
    assertThat(Varint.decode(HexFormat.of().parseHex(hex), 0).value()).isEqualTo(value);
  }

  @Test
  void rejectsNonMinimalEncoding() {
    assertThatThrownBy(() -> Varint.decode(new byte[] {(byte) 0x81, 0x00}, 0))
        .hasMessageContaining("not minimally encoded");
  }

  @Test
  void rejectsMoreThanNineBytes() {
    byte[] tooLong = new byte[10];
    java.util.Arrays.fill(tooLong, (byte) 0x80);
    assertThatThrownBy(() -> Varint.decode(tooLong, 0)).hasMessageContaining("longer than 9");
  }

  @Test
  void rejectsTruncatedInput() {
    assertThatThrownBy(() -> Varint.decode(new byte[] {(byte) 0x80}, 0))
        .hasMessageContaining("truncated");
  }

  @Test
  void roundTripsTheLargest63BitValue() {
    byte[] bytes = Varint.encode(Long.MAX_VALUE);
    assertThat(bytes).hasSize(9);
    assertThat(Varint.decode(bytes, 0).value()).isEqualTo(Long.MAX_VALUE);
  }
}
