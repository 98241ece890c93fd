package dev.amalgam.multiformats;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints as multiformats defines them: minimal encoding, at most 9 bytes (63
 * bits).
 */
public final class Varint {
  public static final int MAX_BYTES = 9;

  private Varint() {}

  /** Number of bytes {@code value} takes once encoded. */
  public static int size(long value) {
    requireUnsigned(value);
    int n = 1;
    while ((value >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  public static byte[] encode(long value) {
    byte[] out = new byte[size(value)];
    write(value, out, 0);
    return out;
  }

  /** Writes {@code value} at {@code offset}; returns the offset after the last byte written. */
  public static int write(long value, byte[] out, int offset) {
    requireUnsigned(value);
    while ((value & ~0x7FL) != 0) {
      out[offset++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[offset++] = (byte) value;
    return offset;
  }

  public static void write(long value, ByteArrayOutputStream out) {
    byte[] bytes = encode(value);
    out.write(bytes, 0, bytes.length);
  }

  /**
   * Decodes a varint at {@code offset}. Returns the value and the number of bytes consumed.
   *
   * @throws MultiformatException when the input ends early, is not minimal or exceeds 63 bits
   */
  public static Decoded decode(byte[] in, int offset) {
    long value = 0;
    for (int i = 0; i < MAX_BYTES; i++) {
      if (offset + i >= in.length) {
        throw new MultiformatException("varint truncated after " + i + " byte(s)");
      }
      int b = in[offset + i] & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MultiformatException("varint is not minimally encoded");
        }
        return new Decoded(value, i + 1);
      }
    }
    throw new MultiformatException("varint longer than " + MAX_BYTES + " bytes");
  }

  /** Reads a varint from the buffer's position, advancing it. */
  public static long read(ByteBuffer in) {
    long value = 0;
    for (int i = 0; i < MAX_BYTES; i++) {
      if (!in.hasRemaining()) {
        throw new MultiformatException("varint truncated after " + i + " byte(s)");
      }
      int b = in.get() & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MultiformatException("varint is not minimally encoded");
        }
        return value;
      }
    }
    throw new MultiformatException("varint longer than " + MAX_BYTES + " bytes");
  }

  private static void requireUnsigned(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varint value must be non-negative: " + value);
    }
  }

  /** A decoded value and how many bytes it took. */
  public record Decoded(long value, int length) {}
}
