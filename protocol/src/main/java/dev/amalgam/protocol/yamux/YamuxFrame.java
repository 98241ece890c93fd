package dev.amalgam.protocol.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;

/**
 * One yamux frame: a 12-byte header and, for Data frames, {@code length} payload bytes. A received
 * Data frame's payload is a retained slice of the decrypted input (no copy); whoever holds the
 * frame releases it, and a stream that keeps the payload retains it first.
 */
public record YamuxFrame(int type, int flags, int streamId, long length, ByteBuf payload)
    implements ReferenceCounted {
  public static final int HEADER_LENGTH = 12;
  public static final int TYPE_DATA = 0;
  public static final int TYPE_WINDOW_UPDATE = 1;
  public static final int TYPE_PING = 2;
  public static final int TYPE_GO_AWAY = 3;
  public static final int SYN = 0x1;
  public static final int ACK = 0x2;
  public static final int FIN = 0x4;
  public static final int RST = 0x8;
  private static final ByteBuf EMPTY = Unpooled.EMPTY_BUFFER;

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

  /** The header of a frame without payload (the only kind written this way). */
  public ByteBuf encode() {
    if (payload.isReadable()) {
      throw new IllegalStateException("data frames are written by YamuxSession.sendData");
    }
    ByteBuf h = Unpooled.buffer(HEADER_LENGTH);
    writeHeader(h, type, flags, streamId, length);
    return h;
  }

  @Override
  public int refCnt() {
    return payload.refCnt();
  }

  @Override
  public YamuxFrame retain() {
    payload.retain();
    return this;
  }

  @Override
  public YamuxFrame retain(int increment) {
    payload.retain(increment);
    return this;
  }

  @Override
  public YamuxFrame touch() {
    payload.touch();
    return this;
  }

  @Override
  public YamuxFrame touch(Object hint) {
    payload.touch(hint);
    return this;
  }

  @Override
  public boolean release() {
    return payload.release();
  }

  @Override
  public boolean release(int decrement) {
    return payload.release(decrement);
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
