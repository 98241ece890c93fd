package dev.amalgam.protocol.ping;

import dev.amalgam.protocol.host.Stream;
import java.io.EOFException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code /ipfs/ping/1.0.0}: 32 random bytes echoed back, unframed. */
public final class Ping {
  public static final String PROTOCOL_ID = "/ipfs/ping/1.0.0";
  public static final int SIZE = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ping() {}

  /** Listener side: echoes every 32-byte payload until the dialer half-closes. */
  public static void serve(Stream stream) throws IOException {
    byte[] buf = new byte[SIZE];
    while (true) {
      int n = stream.in().readNBytes(buf, 0, SIZE);
      if (n == 0) {
        return;
      }
      if (n < SIZE) {
        throw new EOFException("ping: stream ended after " + n + " of 32 bytes");
      }
      stream.out().write(buf);
      stream.out().flush();
    }
  }

  /** Dialer side: sends {@code count} pings on the stream and returns the round-trip times. */
  public static List<Duration> ping(Stream stream, int count) throws IOException {
    List<Duration> rtts = new ArrayList<>();
    byte[] sent = new byte[SIZE];
    byte[] got = new byte[SIZE];
    for (int i = 0; i < count; i++) {
      RANDOM.nextBytes(sent);
      long start = System.nanoTime();
      stream.out().write(sent);
      stream.out().flush();
      int n = stream.in().readNBytes(got, 0, SIZE);
      long end = System.nanoTime();
      if (n < SIZE) {
        throw new EOFException("ping: peer closed the stream after " + n + " of 32 bytes");
      }
      if (!Arrays.equals(sent, got)) {
        throw new IOException("ping: the peer echoed different bytes");
      }
      rtts.add(Duration.ofNanos(end - start));
    }
    stream.closeWrite();
    return rtts;
  }
}
