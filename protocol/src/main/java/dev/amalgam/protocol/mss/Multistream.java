package dev.amalgam.protocol.mss;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * multistream-select 1.0 over blocking streams. Reads are byte-exact: nothing after the last
 * negotiation message is consumed, so application bytes sent right behind a proposal stay in the
 * stream for the protocol handler.
 */
public final class Multistream {
  public static final String PROTOCOL_ID = "/multistream/1.0.0";
  public static final String NA = "na";
  public static final String LS = "ls";

  /** Longest protocol id accepted, as in js-libp2p. */
  public static final int MAX_MESSAGE_LENGTH = 1024;

  private Multistream() {}

  /** LP(text + '\n'). */
  public static byte[] encode(String text) {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    if (body.length > MAX_MESSAGE_LENGTH + 1) {
      throw new IllegalArgumentException(
          "multistream message of " + body.length + " bytes exceeds " + MAX_MESSAGE_LENGTH);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 2);
    int len = body.length;
    while (len >= 0x80) {
      out.write((len & 0x7F) | 0x80);
      len >>>= 7;
    }
    out.write(len);
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** Reads one message; the length prefix may take at most 2 bytes. Returns it without '\n'. */
  public static String read(InputStream in) throws IOException {
    int b0 = readByte(in);
    int len = b0 & 0x7F;
    if ((b0 & 0x80) != 0) {
      int b1 = readByte(in);
      if ((b1 & 0x80) != 0) {
        throw new MultistreamException("multistream: length prefix longer than 2 bytes");
      }
      if (b1 == 0) {
        throw new MultistreamException("multistream: length prefix is not minimal");
      }
      len |= b1 << 7;
    }
    if (len == 0 || len > MAX_MESSAGE_LENGTH + 1) {
      throw new MultistreamException(
          "multistream: message length " + len + " outside 1.." + (MAX_MESSAGE_LENGTH + 1));
    }
    byte[] body = in.readNBytes(len);
    if (body.length < len) {
      throw new EOFException("multistream: stream ended inside a " + len + "-byte message");
    }
    if (body[len - 1] != '\n') {
      throw new MultistreamException("multistream: message does not end with a newline");
    }
    return new String(body, 0, len - 1, StandardCharsets.UTF_8);
  }

  /**
   * Initiator side: writes the header and first proposal together without waiting, then walks the
   * proposals. Returns the accepted protocol.
   */
  public static String select(InputStream in, OutputStream out, List<String> protocols)
      throws IOException {
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("no protocols to propose");
    }
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    first.writeBytes(encode(PROTOCOL_ID));
    first.writeBytes(encode(protocols.get(0)));
    out.write(first.toByteArray());
    out.flush();
    expectHeader(read(in));
    for (int i = 0; i < protocols.size(); i++) {
      if (i > 0) {
        out.write(encode(protocols.get(i)));
        out.flush();
      }
      String answer = read(in);
      if (answer.equals(protocols.get(i))) {
        return answer;
      }
      if (!answer.equals(NA)) {
        throw new MultistreamException(
            "multistream: proposed '"
                + protocols.get(i)
                + "' but the peer answered '"
                + answer
                + "'");
      }
    }
    throw new ProtocolNotSupportedException("multistream: peer supports none of " + protocols);
  }

  /**
   * Lazy initiator (single protocol): writes header and proposal and returns at once, so the
   * caller's first bytes can follow in the same packet. The returned input checks the echoed header
   * and protocol on its first read and fails with {@link ProtocolNotSupportedException} on {@code
   * na}.
   */
  public static InputStream selectLazy(InputStream in, OutputStream out, String protocol)
      throws IOException {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    first.writeBytes(encode(PROTOCOL_ID));
    first.writeBytes(encode(protocol));
    out.write(first.toByteArray());
    out.flush();
    return new LazyInput(in, protocol);
  }

  private static final class LazyInput extends java.io.FilterInputStream {
    private final String protocol;
    private boolean checked;

    LazyInput(InputStream in, String protocol) {
      super(in);
      this.protocol = protocol;
    }

    private void check() throws IOException {
      if (checked) {
        return;
      }
      checked = true;
      expectHeader(Multistream.read(in));
      String answer = Multistream.read(in);
      if (answer.equals(NA)) {
        throw new ProtocolNotSupportedException(
            "multistream: peer does not support '" + protocol + "'");
      }
      if (!answer.equals(protocol)) {
        throw new MultistreamException(
            "multistream: proposed '"
                + protocol
                + "' but the peer answered '"
                + abbreviate(answer)
                + "'");
      }
    }

    @Override
    public int read() throws IOException {
      check();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      check();
      return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return checked ? in.available() : 0;
    }
  }

  /**
   * Responder side: answers the header, then each proposal until one is accepted. Returns empty
   * when the initiator gives up (closes the stream) without agreeing.
   */
  public static Optional<String> handle(
      InputStream in, OutputStream out, Predicate<String> supported) throws IOException {
    expectHeader(read(in));
    out.write(encode(PROTOCOL_ID));
    out.flush();
    while (true) {
      String proposal;
      try {
        proposal = read(in);
      } catch (EOFException e) {
        return Optional.empty();
      }
      if (!proposal.equals(LS) && supported.test(proposal)) {
        out.write(encode(proposal));
        out.flush();
        return Optional.of(proposal);
      }
      out.write(encode(NA));
      out.flush();
    }
  }

  static void expectHeader(String header) throws MultistreamException {
    if (!header.equals(PROTOCOL_ID)) {
      throw new MultistreamException(
          "multistream: expected header '" + PROTOCOL_ID + "', got '" + abbreviate(header) + "'");
    }
  }

  static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
  }

  private static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("multistream: stream ended before a message");
    }
    return b;
  }
}
