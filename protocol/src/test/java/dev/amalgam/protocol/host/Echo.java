package dev.amalgam.protocol.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/** The test echo protocol: copy input to output until end of stream. */
public final class Echo {
  public static final String PROTOCOL_ID = "/amalgam/echo/1.0.0";

  private Echo() {}

  public static void serve(Stream s) throws IOException {
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = s.in().read(buf)) > 0) {
      s.out().write(buf, 0, n);
    }
  }

  /** Sends {@code size} pseudo-random bytes while reading the echo; returns both SHA-256s. */
  public static byte[][] roundTrip(Stream s, long size, long seed) throws Exception {
    MessageDigest sent = sha256();
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Random r = new Random(seed);
                    byte[] chunk = new byte[60_000];
                    long left = size;
                    OutputStream out = s.out();
                    while (left > 0) {
                      int n = (int) Math.min(chunk.length, left);
                      r.nextBytes(chunk);
                      sent.update(chunk, 0, n);
                      out.write(chunk, 0, n);
                      left -= n;
                    }
                    s.closeWrite();
                  } catch (IOException e) {
                    throw new RuntimeException(e);
                  }
                });
    MessageDigest got = sha256();
    InputStream in = s.in();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      got.update(buf, 0, n);
      total += n;
    }
    writer.join();
    if (total != size) {
      throw new IOException("echo returned " + total + " of " + size + " bytes");
    }
    return new byte[][] {sent.digest(), got.digest()};
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
