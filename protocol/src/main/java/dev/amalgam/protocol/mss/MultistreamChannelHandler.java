package dev.amalgam.protocol.mss;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * multistream-select for one protocol on a raw Netty channel (the connection's security protocol).
 * The initiator writes header and proposal in one packet without waiting. When the protocol is
 * agreed, {@code onAgreed} installs the next handlers behind this one and this handler removes
 * itself; bytes already received behind the last message pass on to those handlers.
 */
public final class MultistreamChannelHandler extends ByteToMessageDecoder {
  private static final int MAX_PROPOSALS = 8;

  private final boolean initiator;
  private final String protocol;
  private final Consumer<ChannelHandlerContext> onAgreed;
  private boolean headerSeen;
  private boolean proposed;
  private int proposals;

  public MultistreamChannelHandler(
      boolean initiator, String protocol, Consumer<ChannelHandlerContext> onAgreed) {
    this.initiator = initiator;
    this.protocol = protocol;
    this.onAgreed = onAgreed;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    if (ctx.channel().isActive()) {
      propose(ctx); // added to a live channel, e.g. for muxer negotiation after Noise
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    propose(ctx);
    super.channelActive(ctx);
  }

  private void propose(ChannelHandlerContext ctx) {
    if (initiator && !proposed) {
      proposed = true;
      ByteBuf out = Unpooled.buffer();
      out.writeBytes(Multistream.encode(Multistream.PROTOCOL_ID));
      out.writeBytes(Multistream.encode(protocol));
      ctx.writeAndFlush(out);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    while (ctx.channel().isActive() && !ctx.isRemoved()) {
      String msg = readMessage(in);
      if (msg == null) {
        return;
      }
      if (!headerSeen) {
        Multistream.expectHeader(msg);
        headerSeen = true;
        if (!initiator) {
          ctx.writeAndFlush(Unpooled.wrappedBuffer(Multistream.encode(Multistream.PROTOCOL_ID)));
        }
        continue;
      }
      if (initiator) {
        if (!msg.equals(protocol)) {
          throw new MultistreamException(
              "multistream: peer refused '"
                  + protocol
                  + "' (answered '"
                  + Multistream.abbreviate(msg)
                  + "')");
        }
        agree(ctx);
        return;
      }
      if (msg.equals(protocol)) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(Multistream.encode(protocol)));
        agree(ctx);
        return;
      }
      if (++proposals >= MAX_PROPOSALS) {
        throw new MultistreamException("multistream: " + proposals + " unsupported proposals");
      }
      ctx.writeAndFlush(Unpooled.wrappedBuffer(Multistream.encode(Multistream.NA)));
    }
  }

  private void agree(ChannelHandlerContext ctx) {
    onAgreed.accept(ctx);
    ctx.pipeline().remove(this);
  }

  /** Reads one complete message, or returns null (consuming nothing) when more bytes are needed. */
  private static String readMessage(ByteBuf in) throws MultistreamException {
    int start = in.readerIndex();
    if (!in.isReadable()) {
      return null;
    }
    int b0 = in.getUnsignedByte(start);
    int len = b0 & 0x7F;
    int prefix = 1;
    if ((b0 & 0x80) != 0) {
      if (in.readableBytes() < 2) {
        return null;
      }
      int b1 = in.getUnsignedByte(start + 1);
      if ((b1 & 0x80) != 0) {
        throw new MultistreamException("multistream: length prefix longer than 2 bytes");
      }
      len |= b1 << 7;
      prefix = 2;
    }
    if (len == 0 || len > Multistream.MAX_MESSAGE_LENGTH + 1) {
      throw new MultistreamException(
          "multistream: message length "
              + len
              + " outside 1.."
              + (Multistream.MAX_MESSAGE_LENGTH + 1));
    }
    if (in.readableBytes() < prefix + len) {
      return null;
    }
    if (in.getByte(start + prefix + len - 1) != '\n') {
      throw new MultistreamException("multistream: message does not end with a newline");
    }
    String text = in.toString(start + prefix, len - 1, StandardCharsets.UTF_8);
    in.skipBytes(prefix + len);
    return text;
  }
}
