package dev.amalgam.node.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes a connection carries on the wire (encrypted), from the moment it is attached;
 * the few hundred bytes of the Noise handshake before that are not counted.
 */
@Sharable
final class TrafficCounter extends ChannelDuplexHandler {
  static final String NAME = "amalgam-traffic";
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong bytesOut = new AtomicLong();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      bytesIn.addAndGet(b.readableBytes());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      bytesOut.addAndGet(b.readableBytes());
    }
    ctx.write(msg, promise);
  }
}
