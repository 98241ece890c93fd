package dev.amalgam.protocol.identify;

import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.proto.LengthPrefixed;
import dev.amalgam.protocol.proto.ProtoException;
import java.io.IOException;
import java.lang.System.Logger.Level;

/** identify ({@code /ipfs/id/1.0.0}) and identify push ({@code /ipfs/id/push/1.0.0}). */
public final class Identify {
  public static final String PROTOCOL_ID = "/ipfs/id/1.0.0";
  public static final String PUSH_PROTOCOL_ID = "/ipfs/id/push/1.0.0";
  public static final int MAX_MESSAGE = 8192;
  private static final int MAX_MESSAGES = 10;
  private static final System.Logger LOG = System.getLogger(Identify.class.getName());

  private Identify() {}

  /** Serves our identify record on {@code stream}, then half-closes it. */
  public static void answer(Host host, Stream stream) throws IOException {
    LengthPrefixed.write(stream.out(), host.identifyRecord(stream.connection()).encode());
    stream.closeWrite();
  }

  /** Asks the peer of {@code connection} who it is and records the answer in the peerstore. */
  public static IdentifyInfo ask(Host host, Connection connection) throws IOException {
    try (Stream s = connection.newStream(PROTOCOL_ID)) {
      IdentifyInfo info = readAll(s);
      host.recordIdentify(connection, info);
      return info;
    }
  }

  /** Receives a push and merges it into what we know of the peer. */
  public static void receivePush(Host host, Stream stream) throws IOException {
    IdentifyInfo info = readAll(stream);
    host.recordIdentify(stream.connection(), info);
  }

  /** Pushes our current record to the peer of {@code connection}. */
  public static void push(Host host, Connection connection) {
    try (Stream s = connection.newStream(PUSH_PROTOCOL_ID)) {
      LengthPrefixed.write(s.out(), host.identifyRecord(connection).encode());
      s.closeWrite();
      s.in().readAllBytes();
    } catch (IOException e) {
      LOG.log(
          Level.DEBUG, "identify push to {0} failed: {1}", connection.remotePeer(), e.getMessage());
    }
  }

  private static IdentifyInfo readAll(Stream s) throws IOException {
    IdentifyInfo info = IdentifyInfo.empty();
    for (int i = 0; i < MAX_MESSAGES; i++) {
      byte[] msg = LengthPrefixed.read(s.in(), MAX_MESSAGE, "identify");
      if (msg == null) {
        return info;
      }
      try {
        info = info.merge(IdentifyInfo.decode(msg));
      } catch (IllegalArgumentException e) {
        throw new ProtoException(
            "identify from " + s.connection().remotePeer() + ": " + e.getMessage());
      }
    }
    return info;
  }
}
