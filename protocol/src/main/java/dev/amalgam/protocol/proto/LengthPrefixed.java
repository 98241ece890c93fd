package dev.amalgam.protocol.proto;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** uvarint-length-prefixed messages on blocking streams, with a size cap on reads. */
public final class LengthPrefixed {
  private LengthPrefixed() {}

  /** Reads one message; returns null on a clean end of stream before the first byte. */
  public static byte[] read(InputStream in, int maxLength, String what) throws IOException {
    long len = 0;
    for (int i = 0; ; i++) {
      int b = in.read();
      if (b < 0) {
        if (i == 0) {
          return null;
        }
        throw new EOFException(what + ": stream ended inside the length prefix");
      }
      if (i == 4) {
        throw new ProtoException(what + ": length prefix longer than 4 bytes");
      }
      len |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new ProtoException(what + ": length prefix is not minimal");
        }
        break;
      }
    }
    if (len > maxLength) {
      throw new ProtoException(
          what + ": message of " + len + " bytes exceeds the " + maxLength + "-byte limit");
    }
    byte[] body = in.readNBytes((int) len);
    if (body.length < len) {
      throw new EOFException(
          what + ": stream ended after " + body.length + " of " + len + " bytes");
    }
    return body;
  }

  public static void write(OutputStream out, byte[] message) throws IOException {
    byte[] prefix = dev.amalgam.multiformats.Varint.encode(message.length);
    byte[] all = new byte[prefix.length + message.length];
    System.arraycopy(prefix, 0, all, 0, prefix.length);
    System.arraycopy(message, 0, all, prefix.length, message.length);
    out.write(all);
    out.flush();
  }
}
