package dev.amalgam.protocol.host;

import dev.amalgam.protocol.yamux.YamuxStream;
import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/** A negotiated stream: blocking byte streams for one protocol with one peer. */
public final class Stream implements Closeable {
  private final YamuxStream yamux;
  private final String protocol;
  private final Connection connection;
  private final InputStream in;

  Stream(YamuxStream yamux, String protocol, Connection connection) {
    this(yamux, protocol, connection, yamux.in());
  }

  Stream(YamuxStream yamux, String protocol, Connection connection, InputStream in) {
    this.yamux = yamux;
    this.protocol = protocol;
    this.connection = connection;
    this.in = in;
  }

  public InputStream in() {
    return in;
  }

  public OutputStream out() {
    return yamux.out();
  }

  public String protocol() {
    return protocol;
  }

  public Connection connection() {
    return connection;
  }

  /** Sends FIN: the peer reads end-of-stream; this side can keep reading. */
  public void closeWrite() {
    yamux.closeWrite();
  }

  public void reset() {
    yamux.reset();
  }

  /** Closes cleanly when all input was read, otherwise resets. */
  @Override
  public void close() {
    yamux.close();
  }
}
