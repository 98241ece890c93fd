package dev.amalgam.protocol.host;

import dev.amalgam.protocol.crypto.PublicKey;
import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.mss.Multistream;
import dev.amalgam.protocol.mss.ProtocolNotSupportedException;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.yamux.YamuxSession;
import dev.amalgam.protocol.yamux.YamuxStream;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** A secured, multiplexed connection to one peer. */
public final class Connection {
  /** Who opened the TCP connection. */
  public enum Direction {
    INBOUND,
    OUTBOUND
  }

  private final Host host;
  private final Channel channel;
  private final PeerId remotePeer;
  private final PublicKey remoteKey;
  private final Direction direction;
  private final Multiaddr remoteAddress;
  private final Multiaddr localAddress;
  private volatile YamuxSession session;
  private final CompletableFuture<IdentifyInfo> identified = new CompletableFuture<>();

  Connection(
      Host host, Channel channel, PeerId remotePeer, PublicKey remoteKey, Direction direction) {
    this.host = host;
    this.channel = channel;
    this.remotePeer = remotePeer;
    this.remoteKey = remoteKey;
    this.direction = direction;
    this.remoteAddress = Multiaddr.tcp((java.net.InetSocketAddress) channel.remoteAddress());
    this.localAddress = Multiaddr.tcp((java.net.InetSocketAddress) channel.localAddress());
  }

  void attach(YamuxSession session) {
    this.session = session;
  }

  public PeerId remotePeer() {
    return remotePeer;
  }

  public PublicKey remotePublicKey() {
    return remoteKey;
  }

  public Direction direction() {
    return direction;
  }

  public Multiaddr remoteAddress() {
    return remoteAddress;
  }

  public Multiaddr localAddress() {
    return localAddress;
  }

  public Channel channel() {
    return channel;
  }

  public boolean isOpen() {
    return channel.isActive() && !session.isClosed();
  }

  public int streamCount() {
    return session.openStreamCount();
  }

  /** Bytes received on this connection's streams and not yet read by their handlers. */
  public long bufferedInboundBytes() {
    return session.bufferedBytes();
  }

  /** Completes when the first identify exchange with the peer finished. */
  public CompletableFuture<IdentifyInfo> identified() {
    return identified;
  }

  /** Opens a stream and negotiates the first of {@code protocols} the peer supports. */
  public Stream newStream(String... protocols) throws IOException {
    YamuxStream s = session.openStream();
    ScheduledFuture<?> timeout;
    try {
      timeout =
          channel
              .eventLoop()
              .schedule(
                  s::reset, host.config().negotiationTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      s.reset();
      throw new IOException("stream to " + remotePeer + ": the host is shutting down", e);
    }
    try {
      String agreed = Multistream.select(s.in(), s.out(), List.of(protocols));
      return new Stream(s, agreed, this);
    } catch (ProtocolNotSupportedException e) {
      s.reset();
      throw new ProtocolNotSupportedException(
          "peer " + remotePeer + " supports none of " + Arrays.toString(protocols));
    } catch (IOException | RuntimeException e) {
      s.reset();
      throw new IOException(
          "stream to " + remotePeer + " for " + Arrays.toString(protocols) + ": " + e.getMessage(),
          e);
    } finally {
      timeout.cancel(false);
    }
  }

  /**
   * Opens a stream with lazy multistream-select: the proposal goes out with the first application
   * bytes and is checked on the first read (a refusal surfaces there as {@link
   * ProtocolNotSupportedException}). Saves a round trip when the protocol is known to be spoken.
   */
  public Stream newStreamLazy(String protocol) throws IOException {
    YamuxStream s = session.openStream();
    try {
      return new Stream(s, protocol, this, Multistream.selectLazy(s.in(), s.out(), protocol));
    } catch (IOException | RuntimeException e) {
      s.reset();
      throw new IOException(
          "stream to " + remotePeer + " for " + protocol + ": " + e.getMessage(), e);
    }
  }

  public void close() {
    session.close();
  }

  @Override
  public String toString() {
    return "Connection(" + direction + " " + remotePeer + " at " + remoteAddress + ")";
  }
}
