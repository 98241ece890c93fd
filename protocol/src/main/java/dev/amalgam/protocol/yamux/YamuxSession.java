package dev.amalgam.protocol.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A yamux session on one secured connection. Frames are handled on the channel's event loop;
 * streams are read and written with blocking calls from other threads (virtual threads).
 *
 * <p>Inbound memory is bounded twice: each stream holds at most its receive window (the peer may
 * not send more, and a peer that does is cut off), and when the bytes buffered across all streams
 * pass {@link #HIGH_WATER} the channel stops reading (autoRead off) until the application drains
 * them below {@link #LOW_WATER}.
 */
public final class YamuxSession extends ChannelInboundHandlerAdapter {
  public static final String PROTOCOL_ID = "/yamux/1.0.0";
  public static final int INITIAL_WINDOW = 256 * 1024;

  /**
   * The window each side grants per stream: the spec's 256 KiB plus a delta sent with SYN or ACK
   * (as go-yamux does). 256 KiB or 1 MiB in flight is too little to keep a fast sender and a fast
   * receiver busy at the same time (4 MiB gave about 5% more on one loopback stream than 1 MiB);
   * the session's {@link #HIGH_WATER} still bounds what is buffered per connection.
   */
  public static final int RECEIVE_WINDOW = 4 * 1024 * 1024;

  /** Header plus data fit one Noise transport message (65519 plaintext bytes). */
  public static final int MAX_DATA_FRAME = 65519 - YamuxFrame.HEADER_LENGTH;

  static final long HIGH_WATER = 8L * 1024 * 1024;
  static final long LOW_WATER = 4L * 1024 * 1024;
  private static final System.Logger LOG = System.getLogger(YamuxSession.class.getName());

  private final Channel channel;
  private final boolean client;
  private final int maxStreams;
  private final Duration writeTimeout;
  private final Consumer<YamuxStream> inboundStreams;
  private final Map<Integer, YamuxStream> streams = new ConcurrentHashMap<>();
  private final AtomicInteger nextId;
  private final AtomicLong buffered = new AtomicLong();
  private volatile boolean closed;

  public YamuxSession(
      Channel channel,
      boolean client,
      int maxStreams,
      Duration writeTimeout,
      Consumer<YamuxStream> inboundStreams) {
    this.channel = channel;
    this.client = client;
    this.maxStreams = maxStreams;
    this.writeTimeout = writeTimeout;
    this.inboundStreams = inboundStreams;
    this.nextId = new AtomicInteger(client ? 1 : 2);
  }

  public Channel channel() {
    return channel;
  }

  public int openStreamCount() {
    return streams.size();
  }

  /** Bytes received on all streams that the application has not read yet. */
  public long bufferedBytes() {
    return buffered.get();
  }

  public boolean isClosed() {
    return closed;
  }

  /** Opens an outbound stream (SYN on a WindowUpdate that raises the window to ours). */
  public YamuxStream openStream() throws IOException {
    if (closed || !channel.isActive()) {
      throw new IOException("yamux: connection is closed");
    }
    if (streams.size() >= maxStreams) {
      throw new IOException("yamux: stream limit of " + maxStreams + " per connection reached");
    }
    int id = nextId.getAndAdd(2);
    YamuxStream s = new YamuxStream(this, id);
    streams.put(id, s);
    send(YamuxFrame.windowUpdate(id, YamuxFrame.SYN, s.growReceiveWindow()));
    return s;
  }

  ChannelFuture send(YamuxFrame frame) {
    return channel.writeAndFlush(frame.encode());
  }

  /** A Data frame of {@code b[off..off+len)}, copied once into a pooled buffer with its header. */
  ChannelFuture sendData(int streamId, byte[] b, int off, int len) {
    ByteBuf buf = channel.alloc().heapBuffer(YamuxFrame.HEADER_LENGTH + len);
    YamuxFrame.writeHeader(buf, YamuxFrame.TYPE_DATA, 0, streamId, len);
    buf.writeBytes(b, off, len);
    return channel.writeAndFlush(buf);
  }

  Duration writeTimeout() {
    return writeTimeout;
  }

  void removeStream(YamuxStream s) {
    streams.remove(s.id(), s);
  }

  void bufferedAdded(long n) {
    if (buffered.addAndGet(n) > HIGH_WATER && channel.config().isAutoRead()) {
      channel.config().setAutoRead(false);
    }
  }

  void bufferedConsumed(long n) {
    if (buffered.addAndGet(-n) < LOW_WATER && !channel.config().isAutoRead() && !closed) {
      channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    YamuxFrame f = (YamuxFrame) msg;
    try {
      switch (f.type()) {
        case YamuxFrame.TYPE_PING -> {
          if (f.has(YamuxFrame.SYN)) {
            send(YamuxFrame.ping(YamuxFrame.ACK, f.length()));
          }
        }
        case YamuxFrame.TYPE_GO_AWAY -> {
          LOG.log(
              Level.DEBUG, "yamux: peer {0} sent GoAway({1})", channel.remoteAddress(), f.length());
          ctx.close();
        }
        default -> streamFrame(f);
      }
    } finally {
      f.release(); // a stream that keeps the payload has retained it
    }
  }

  private void streamFrame(YamuxFrame f) throws YamuxException {
    int id = f.streamId();
    if (id == 0) {
      throw new YamuxException("yamux: " + kind(f) + " frame on stream 0");
    }
    YamuxStream s = streams.get(id);
    if (f.has(YamuxFrame.SYN)) {
      if (s != null) {
        throw new YamuxException("yamux: duplicate SYN for open stream " + id);
      }
      boolean remoteParity = (id & 1) == (client ? 0 : 1);
      if (!remoteParity) {
        throw new YamuxException(
            "yamux: peer opened stream " + Integer.toUnsignedString(id) + " with our id parity");
      }
      if (streams.size() >= maxStreams) {
        LOG.log(
            Level.INFO,
            "yamux: refusing stream {0} from {1}: limit of {2} streams reached",
            Integer.toUnsignedString(id),
            channel.remoteAddress(),
            maxStreams);
        send(YamuxFrame.windowUpdate(id, YamuxFrame.RST, 0));
        return;
      }
      s = new YamuxStream(this, id);
      streams.put(id, s);
      s.onFrame(f); // data sent with the SYN may use only the initial window
      send(YamuxFrame.windowUpdate(id, YamuxFrame.ACK, s.growReceiveWindow()));
      inboundStreams.accept(s);
      return;
    }
    if (s == null) {
      return; // a frame racing with our RST or close: nothing to deliver it to
    }
    s.onFrame(f);
  }

  private static String kind(YamuxFrame f) {
    return f.type() == YamuxFrame.TYPE_DATA ? "Data" : "WindowUpdate";
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closed = true;
    List<YamuxStream> all = new ArrayList<>(streams.values());
    streams.clear();
    for (YamuxStream s : all) {
      s.connectionClosed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root =
        cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
            ? cause.getCause()
            : cause;
    if (root instanceof YamuxException) {
      if (closed) {
        return;
      }
      LOG.log(
          Level.WARNING,
          "closing connection to {0}: {1}",
          channel.remoteAddress(),
          root.getMessage());
      closed = true;
      send(YamuxFrame.goAway(1)).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.fireExceptionCaught(cause);
    }
  }

  /** Sends GoAway(normal) and closes the connection. */
  public void close() {
    if (!closed && channel.isActive()) {
      closed = true;
      send(YamuxFrame.goAway(0)).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }
}
