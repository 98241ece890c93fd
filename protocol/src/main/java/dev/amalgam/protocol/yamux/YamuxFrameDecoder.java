package dev.amalgam.protocol.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the decrypted byte stream into {@link YamuxFrame}s, rejecting malformed headers. Data
 * payloads are retained slices of the input, not copies.
 */
public final class YamuxFrameDecoder extends ByteToMessageDecoder {
  private final int maxDataLength;

  public YamuxFrameDecoder(int maxDataLength) {
    this.maxDataLength = maxDataLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws YamuxException {
    while (in.readableBytes() >= YamuxFrame.HEADER_LENGTH) {
      int start = in.readerIndex();
      int version = in.getUnsignedByte(start);
      int type = in.getUnsignedByte(start + 1);
      int flags = in.getUnsignedShort(start + 2);
      int streamId = in.getInt(start + 4);
      long length = in.getUnsignedInt(start + 8);
      if (version != 0) {
        throw new YamuxException(
            "yamux: unsupported version "
                + version
                + " on stream "
                + Integer.toUnsignedString(streamId));
      }
      if (type > YamuxFrame.TYPE_GO_AWAY) {
        throw new YamuxException(
            "yamux: invalid frame type "
                + type
                + " on stream "
                + Integer.toUnsignedString(streamId));
      }
      int dataLength = 0;
      if (type == YamuxFrame.TYPE_DATA) {
        if (length > maxDataLength) {
          throw new YamuxException(
              "yamux: data frame of "
                  + length
                  + " bytes on stream "
                  + Integer.toUnsignedString(streamId)
                  + " exceeds the "
                  + maxDataLength
                  + "-byte window");
        }
        dataLength = (int) length;
      }
      if (in.readableBytes() < YamuxFrame.HEADER_LENGTH + dataLength) {
        return;
      }
      in.skipBytes(YamuxFrame.HEADER_LENGTH);
      ByteBuf data = dataLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(dataLength);
      out.add(new YamuxFrame(type, flags, streamId, length, data));
    }
  }
}
