package dev.amalgam.protocol.yamux;

import io.netty.buffer.ByteBuf;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One yamux stream with blocking {@link InputStream}/{@link OutputStream} views. Reading grants the
 * peer more window (a slow reader slows the sender); writing blocks while the peer's window is
 * exhausted, and resets the stream when the peer grants nothing for the session's write timeout.
 */
public final class YamuxStream {
  private static final System.Logger LOG = System.getLogger(YamuxStream.class.getName());

  private final YamuxSession session;
  private final int id;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
  private long sendWindow = YamuxSession.INITIAL_WINDOW;
  private long recvWindow = YamuxSession.INITIAL_WINDOW;
  private long consumedUnacknowledged;
  private boolean remoteFin;
  private boolean localFin;
  private String resetReason;
  private final InputStream in = new In();
  private final OutputStream out = new Out();

  YamuxStream(YamuxSession session, int id) {
    this.session = session;
    this.id = id;
  }

  public int id() {
    return id;
  }

  /**
   * Raises this side's receive window from the spec's initial 256 KiB to {@link
   * YamuxSession#RECEIVE_WINDOW}; returns the delta to announce with the SYN or ACK.
   */
  long growReceiveWindow() {
    long delta = YamuxSession.RECEIVE_WINDOW - YamuxSession.INITIAL_WINDOW;
    lock.lock();
    try {
      recvWindow += delta;
    } finally {
      lock.unlock();
    }
    return delta;
  }

  public YamuxSession session() {
    return session;
  }

  public InputStream in() {
    return in;
  }

  public OutputStream out() {
    return out;
  }

  /** Half-closes: sends FIN; reading continues until the peer's FIN. */
  public void closeWrite() {
    boolean done;
    lock.lock();
    try {
      if (localFin || resetReason != null) {
        return;
      }
      localFin = true;
      done = remoteFin;
    } finally {
      lock.unlock();
    }
    session.send(YamuxFrame.windowUpdate(id, YamuxFrame.FIN, 0));
    if (done) {
      session.removeStream(this);
    }
  }

  /** Aborts the stream in both directions and tells the peer (RST). */
  public void reset() {
    if (markReset("reset locally", true)) {
      session.send(YamuxFrame.windowUpdate(id, YamuxFrame.RST, 0));
    }
  }

  /** Normal close after reading to the end; resets when unread input remains. */
  public void close() {
    lock.lock();
    boolean clean;
    try {
      clean = remoteFin && inbound.isEmpty();
    } finally {
      lock.unlock();
    }
    if (clean) {
      closeWrite();
    } else {
      reset();
    }
  }

  public boolean isReset() {
    lock.lock();
    try {
      return resetReason != null;
    } finally {
      lock.unlock();
    }
  }

  /** Event loop: a Data or WindowUpdate frame for this stream. */
  void onFrame(YamuxFrame f) throws YamuxException {
    if (f.has(YamuxFrame.RST)) {
      markReset("reset by peer", false);
      return;
    }
    lock.lock();
    try {
      if (f.type() == YamuxFrame.TYPE_WINDOW_UPDATE) {
        sendWindow += f.length();
        if (sendWindow > 0xFFFF_FFFFL) {
          throw new YamuxException(
              "yamux: window overflow on stream "
                  + Integer.toUnsignedString(id)
                  + ": "
                  + sendWindow
                  + " bytes");
        }
      } else if (f.length() > 0) {
        if (f.length() > recvWindow) {
          throw new YamuxException(
              "yamux: stream "
                  + Integer.toUnsignedString(id)
                  + " sent "
                  + f.length()
                  + " bytes with only "
                  + recvWindow
                  + " bytes of window left");
        }
        if (remoteFin) {
          throw new YamuxException(
              "yamux: data after FIN on stream " + Integer.toUnsignedString(id));
        }
        recvWindow -= f.length();
        if (resetReason == null) {
          inbound.add(f.payload().retain());
          session.bufferedAdded(f.payload().readableBytes());
        }
      }
      if (f.has(YamuxFrame.FIN)) {
        remoteFin = true;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (f.has(YamuxFrame.FIN) && localFin) {
      session.removeStream(this);
    }
  }

  void connectionClosed() {
    markReset("connection closed", false);
  }

  /**
   * Marks the stream reset and drops unread input; false (and nothing dropped) when it already was
   * reset or both sides had closed, unless {@code dropUnread} (the application gave up on it).
   */
  private boolean markReset(String reason, boolean dropUnread) {
    lock.lock();
    try {
      if (resetReason != null || (localFin && remoteFin)) {
        if (dropUnread) {
          dropInbound();
        }
        return false;
      }
      resetReason = reason;
      dropInbound();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    session.removeStream(this);
    return true;
  }

  /** Releases unread input; the caller holds the lock. */
  private void dropInbound() {
    long dropped = 0;
    for (ByteBuf b : inbound) {
      dropped += b.readableBytes();
      b.release();
    }
    inbound.clear();
    session.bufferedConsumed(dropped);
  }

  private void checkNotEventLoop() {
    if (session.channel().eventLoop().inEventLoop()) {
      throw new IllegalStateException("blocking stream I/O must not run on the Netty event loop");
    }
  }

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      checkNotEventLoop();
      long grant = 0;
      int n;
      lock.lock();
      try {
        while (inbound.isEmpty() && !remoteFin && resetReason == null) {
          changed.await();
        }
        if (inbound.isEmpty()) {
          if (resetReason != null) {
            throw new IOException(
                "yamux stream " + Integer.toUnsignedString(id) + ": " + resetReason);
          }
          return -1;
        }
        ByteBuf head = inbound.peek();
        n = Math.min(len, head.readableBytes());
        head.readBytes(b, off, n);
        if (!head.isReadable()) {
          inbound.poll().release();
        }
        consumedUnacknowledged += n;
        if (consumedUnacknowledged >= YamuxSession.RECEIVE_WINDOW / 2 && !remoteFin) {
          grant = consumedUnacknowledged;
          consumedUnacknowledged = 0;
          recvWindow += grant;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted reading yamux stream " + id);
      } finally {
        lock.unlock();
      }
      session.bufferedConsumed(n);
      if (grant > 0) {
        session.send(YamuxFrame.windowUpdate(id, 0, grant));
      }
      return n;
    }

    @Override
    public int available() {
      lock.lock();
      try {
        return inbound.isEmpty() ? 0 : inbound.peek().readableBytes();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      YamuxStream.this.close();
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      checkNotEventLoop();
      long timeoutNanos = session.writeTimeout().toNanos();
      while (len > 0) {
        int n;
        lock.lock();
        try {
          long deadline = System.nanoTime() + timeoutNanos;
          while (sendWindow == 0 && resetReason == null && !localFin) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            changed.awaitNanos(left);
          }
          if (resetReason != null) {
            throw new IOException(
                "yamux stream " + Integer.toUnsignedString(id) + ": " + resetReason);
          }
          if (localFin) {
            throw new IOException(
                "yamux stream " + Integer.toUnsignedString(id) + ": write after close");
          }
          if (sendWindow == 0) {
            n = -1;
          } else {
            n = (int) Math.min(Math.min(len, sendWindow), YamuxSession.MAX_DATA_FRAME);
            sendWindow -= n;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted writing yamux stream " + id);
        } finally {
          lock.unlock();
        }
        if (n < 0) {
          stalled("the peer granted no window");
        }
        // No wait for the write: the peer's window already bounds what is queued for this stream.
        session
            .sendData(id, b, off, n)
            .addListener(
                f -> {
                  if (!f.isSuccess()) {
                    markReset("write failed: " + f.cause().getMessage(), false);
                  }
                });
        off += n;
        len -= n;
      }
    }

    private void stalled(String why) throws IOException {
      String msg =
          "yamux stream "
              + Integer.toUnsignedString(id)
              + ": "
              + why
              + " for "
              + session.writeTimeout().toMillis()
              + " ms; resetting it";
      LOG.log(Level.WARNING, msg);
      reset();
      throw new EOFException(msg);
    }

    @Override
    public void close() {
      closeWrite();
    }
  }
}
