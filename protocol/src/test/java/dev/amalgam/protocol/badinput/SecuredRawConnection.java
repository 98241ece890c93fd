package dev.amalgam.protocol.badinput;

import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.mss.MultistreamChannelHandler;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.noise.NoiseHandshakeHandler;
import dev.amalgam.protocol.noise.NoiseTransportCodec;
import dev.amalgam.protocol.yamux.YamuxSession;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test client that runs multistream-select and Noise with the production handlers and then gives
 * raw access to the encrypted channel, to send malformed yamux frames.
 */
final class SecuredRawConnection {
  final CompletableFuture<Void> secured = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Channel channel;

  private SecuredRawConnection(EventLoopGroup group, Multiaddr addr, PrivateKey identity) {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new MultistreamChannelHandler(
                                true,
                                NoiseHandshakeHandler.PROTOCOL_ID,
                                ctx -> {
                                  ctx.pipeline()
                                      .addAfter(
                                          ctx.name(),
                                          "frames",
                                          new LengthFieldBasedFrameDecoder(65537, 0, 2, 0, 2));
                                  ctx.pipeline()
                                      .addAfter(
                                          "frames",
                                          "noise",
                                          new NoiseHandshakeHandler(
                                              true,
                                              identity,
                                              null,
                                              List.of(YamuxSession.PROTOCOL_ID),
                                              (nctx, r) -> {
                                                nctx.pipeline()
                                                    .replace(
                                                        nctx.handler(),
                                                        "transport",
                                                        new NoiseTransportCodec(r.ciphers()));
                                                secured.complete(null);
                                              }));
                                }))
                        .addLast(new Sink());
                  }
                })
            .connect(addr.toTcpSocketAddress())
            .syncUninterruptibly()
            .channel();
    channel.closeFuture().addListener(f -> closed.complete(null));
  }

  static SecuredRawConnection connect(EventLoopGroup group, Multiaddr addr, PrivateKey identity) {
    return new SecuredRawConnection(group, addr, identity);
  }

  void awaitSecured() throws Exception {
    secured.get(10, TimeUnit.SECONDS);
  }

  /** Sends plaintext through Noise, i.e. raw yamux bytes. */
  void send(ByteBuf plaintext) {
    channel.writeAndFlush(plaintext);
  }

  static ByteBuf header(int type, int flags, int stream, long length) {
    ByteBuf b = Unpooled.buffer(12);
    b.writeByte(0).writeByte(type).writeShort(flags).writeInt(stream).writeInt((int) length);
    return b;
  }

  boolean awaitClosed() throws Exception {
    closed.get(10, TimeUnit.SECONDS);
    return true;
  }

  void close() {
    channel.close().syncUninterruptibly();
  }

  /** Drops whatever the server sends. */
  private final class Sink extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      secured.completeExceptionally(cause);
      ctx.close();
    }
  }
}
