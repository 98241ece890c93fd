package dev.amalgam.protocol.proto;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strict, bounded protobuf reader. Iterate with {@link #next()}; read the value of each field with
 * the accessor matching its wire type, or {@link #skip()} unknown fields. Every error names the
 * message, the field and the byte offset.
 */
public final class ProtoReader {
  public static final int WIRE_VARINT = 0;
  public static final int WIRE_I64 = 1;
  public static final int WIRE_LEN = 2;
  public static final int WIRE_I32 = 5;

  private final String messageName;
  private final byte[] data;
  private int pos;
  private int field;
  private int wireType;
  private int fieldStart;

  public ProtoReader(String messageName, byte[] data) {
    this.messageName = messageName;
    this.data = data;
  }

  /** Advances to the next field; returns false at the end of the message. */
  public boolean next() {
    if (pos >= data.length) {
      return false;
    }
    fieldStart = pos;
    long key = readVarint();
    wireType = (int) (key & 7);
    long f = key >>> 3;
    if (f < 1 || f > 536_870_911) {
      throw error("invalid field number " + f);
    }
    field = (int) f;
    if (wireType != WIRE_VARINT
        && wireType != WIRE_I64
        && wireType != WIRE_LEN
        && wireType != WIRE_I32) {
      throw error("unsupported wire type " + wireType + " for field " + field);
    }
    return true;
  }

  public int field() {
    return field;
  }

  public int wireType() {
    return wireType;
  }

  public long varint() {
    expect(WIRE_VARINT);
    return readVarint();
  }

  public int enumValue() {
    long v = varint();
    if (v > Integer.MAX_VALUE) {
      throw error("field " + field + " value out of range: " + v);
    }
    return (int) v;
  }

  public boolean bool() {
    return varint() != 0;
  }

  public byte[] bytes() {
    expect(WIRE_LEN);
    long len = readVarint();
    if (len > data.length - pos) {
      throw error(
          "field "
              + field
              + " length "
              + len
              + " exceeds the "
              + (data.length - pos)
              + " bytes left");
    }
    byte[] value = Arrays.copyOfRange(data, pos, pos + (int) len);
    pos += (int) len;
    return value;
  }

  public String string() {
    byte[] raw = bytes();
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      throw error("field " + field + " is not valid UTF-8");
    }
  }

  /** Skips the current field's value. */
  public void skip() {
    switch (wireType) {
      case WIRE_VARINT -> readVarint();
      case WIRE_LEN -> bytes();
      case WIRE_I64 -> advance(8);
      case WIRE_I32 -> advance(4);
      default -> throw error("unsupported wire type " + wireType);
    }
  }

  public ProtoException error(String what) {
    return new ProtoException(messageName + ": " + what + " at offset " + fieldStart);
  }

  private void advance(int n) {
    if (n > data.length - pos) {
      throw error("field " + field + " truncated");
    }
    pos += n;
  }

  private void expect(int wire) {
    if (wireType != wire) {
      throw error("field " + field + " has wire type " + wireType + ", expected " + wire);
    }
  }

  private long readVarint() {
    long value = 0;
    for (int i = 0; i < 10; i++) {
      if (pos >= data.length) {
        throw new ProtoException(messageName + ": truncated varint at offset " + pos);
      }
      int b = data[pos++] & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new ProtoException(messageName + ": varint longer than 10 bytes at offset " + pos);
  }
}
