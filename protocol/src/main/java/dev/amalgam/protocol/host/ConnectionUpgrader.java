package dev.amalgam.protocol.host;

import dev.amalgam.protocol.mss.MultistreamChannelHandler;
import dev.amalgam.protocol.noise.NoiseHandshakeHandler;
import dev.amalgam.protocol.noise.NoiseTransportCodec;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.yamux.YamuxFrameDecoder;
import dev.amalgam.protocol.yamux.YamuxSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a fresh TCP channel into a libp2p connection: multistream-select({@code /noise}), the Noise
 * XX handshake, the muxer choice (early, inside Noise, or by multistream-select afterwards) and
 * yamux. Any failure or the upgrade timeout closes the channel and fails the result.
 */
final class ConnectionUpgrader {
  private static final System.Logger LOG = System.getLogger(ConnectionUpgrader.class.getName());

  private final Host host;
  private final AtomicInteger upgrading;

  ConnectionUpgrader(Host host, AtomicInteger upgrading) {
    this.host = host;
    this.upgrading = upgrading;
  }

  /** Installs mss(/noise) → Noise XX → yamux on a fresh TCP channel. */
  void upgrade(
      Channel ch, boolean initiator, PeerId expected, CompletableFuture<Connection> result) {
    upgrading.incrementAndGet();
    result.whenComplete((c, e) -> upgrading.decrementAndGet());
    var timeout =
        ch.eventLoop()
            .schedule(
                () -> {
                  if (result.completeExceptionally(
                      new IOException(
                          "connection upgrade with " + ch.remoteAddress() + " timed out"))) {
                    LOG.log(
                        Level.WARNING,
                        "closing connection to {0}: upgrade timed out",
                        ch.remoteAddress());
                    ch.close();
                  }
                },
                host.config().upgradeTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    result.whenComplete((c, e) -> timeout.cancel(false));
    ch.pipeline()
        .addLast(
            "mss",
            new MultistreamChannelHandler(
                initiator,
                NoiseHandshakeHandler.PROTOCOL_ID,
                ctx -> {
                  ctx.pipeline()
                      .addAfter(
                          ctx.name(),
                          "noise-frames",
                          new LengthFieldBasedFrameDecoder(2 + 65535, 0, 2, 0, 2));
                  ctx.pipeline()
                      .addAfter(
                          "noise-frames",
                          "noise",
                          new NoiseHandshakeHandler(
                              initiator,
                              host.config().identity(),
                              expected,
                              host.config().earlyMuxerNegotiation()
                                  ? List.of(YamuxSession.PROTOCOL_ID)
                                  : List.of(),
                              (nctx, r) -> secured(nctx, r, initiator, result)));
                }))
        .addLast("errors", new ConnectionErrors(result));
  }

  private void secured(
      ChannelHandlerContext ctx,
      NoiseHandshakeHandler.Result r,
      boolean initiator,
      CompletableFuture<Connection> result) {
    Channel ch = ctx.channel();
    ctx.pipeline().replace(ctx.handler(), "noise-transport", new NoiseTransportCodec(r.ciphers()));
    if (host.config().earlyMuxerNegotiation() && !r.remoteMuxers().isEmpty()) {
      startMuxer(ch, r, initiator, result);
      return;
    }
    ch.pipeline()
        .addBefore(
            "errors",
            "mss-muxer",
            new MultistreamChannelHandler(
                initiator, YamuxSession.PROTOCOL_ID, c -> startMuxer(ch, r, initiator, result)));
  }

  private void startMuxer(
      Channel ch,
      NoiseHandshakeHandler.Result r,
      boolean initiator,
      CompletableFuture<Connection> result) {
    Connection conn =
        new Connection(
            host,
            ch,
            r.remotePeer(),
            r.remoteKey(),
            initiator ? Connection.Direction.OUTBOUND : Connection.Direction.INBOUND);
    YamuxSession session =
        new YamuxSession(
            ch,
            initiator,
            host.config().maxStreamsPerConnection(),
            host.config().writeTimeout(),
            s -> host.serveInbound(conn, s));
    conn.attach(session);
    ch.pipeline()
        .addBefore("errors", "yamux-frames", new YamuxFrameDecoder(YamuxSession.RECEIVE_WINDOW));
    long idle = host.config().idleTimeout().toMillis();
    ch.pipeline()
        .addBefore("errors", "idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
    ch.pipeline().addBefore("errors", "yamux", session);
    host.established(ch, conn, session, result);
  }

  /** Last handler: logs one line and closes the connection on any unhandled failure. */
  static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Connection> result;

    ConnectionErrors(CompletableFuture<Connection> result) {
      this.result = result;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable root =
          cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
      String msg = root.getMessage() == null ? root.toString() : root.getMessage();
      if (ctx.channel().isActive()) {
        LOG.log(
            Level.WARNING, "closing connection to {0}: {1}", ctx.channel().remoteAddress(), msg);
      }
      result.completeExceptionally(new IOException(msg, root));
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.completeExceptionally(
          new IOException(
              "connection to " + ctx.channel().remoteAddress() + " closed during upgrade"));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        YamuxSession s = (YamuxSession) ctx.pipeline().get("yamux");
        if (s != null && s.openStreamCount() == 0) {
          LOG.log(Level.INFO, "closing idle connection to {0}", ctx.channel().remoteAddress());
          s.close();
        }
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }
}
