package dev.amalgam.protocol.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** One yamux frame: a 12-byte header and, for Data frames, {@code length} payload bytes. */
public record YamuxFrame(int type, int flags, int streamId, long length, byte[] data) {
  public static final int HEADER_LENGTH = 12;
  public static final int TYPE_DATA = 0;
  public static final int TYPE_WINDOW_UPDATE = 1;
  public static final int TYPE_PING = 2;
  public static final int TYPE_GO_AWAY = 3;
  public static final int SYN = 0x1;
  public static final int ACK = 0x2;
  public static final int FIN = 0x4;
  public static final int RST = 0x8;
  private static final byte[] EMPTY = new byte[0];

  public static YamuxFrame data(int streamId, int flags, byte[] data) {
    return new YamuxFrame(TYPE_DATA, flags, streamId, data.length, data);
  }

  public static YamuxFrame windowUpdate(int streamId, int flags, long delta) {
    return new YamuxFrame(TYPE_WINDOW_UPDATE, flags, streamId, delta, EMPTY);
  }

  public static YamuxFrame ping(int flags, long opaque) {
    return new YamuxFrame(TYPE_PING, flags, 0, opaque, EMPTY);
  }

  public static YamuxFrame goAway(int code) {
    return new YamuxFrame(TYPE_GO_AWAY, 0, 0, code, EMPTY);
  }

  public boolean has(int flag) {
    return (flags & flag) != 0;
  }

  public ByteBuf encode() {
    ByteBuf h = Unpooled.buffer(HEADER_LENGTH);
    writeHeader(h, type, flags, streamId, length);
    return data.length == 0 ? h : Unpooled.wrappedBuffer(h, Unpooled.wrappedBuffer(data));
  }

  static void writeHeader(ByteBuf out, int type, int flags, int streamId, long length) {
    out.writeByte(0);
    out.writeByte(type);
    out.writeShort(flags);
    out.writeInt(streamId);
    out.writeInt((int) length);
  }

  @Override
  public String toString() {
    return "YamuxFrame(type="
        + type
        + ", flags="
        + flags
        + ", stream="
        + streamId
        + ", length="
        + length
        + ")";
  }
}
