package dev.amalgam.multiformats;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** A self-describing hash: {@code varint(code) || varint(length) || digest}. */
public final class Multihash {
  public static final int IDENTITY = 0x00;
  public static final int SHA2_256 = 0x12;

  private final int code;
  private final byte[] digest;

  private Multihash(int code, byte[] digest) {
    this.code = code;
    this.digest = digest;
  }

  public static Multihash of(int code, byte[] digest) {
    if (code == SHA2_256 && digest.length != 32) {
      throw new MultiformatException("sha2-256 digest must be 32 bytes, got " + digest.length);
    }
    return new Multihash(code, digest.clone());
  }

  public static Multihash sha256(byte[] data) {
    return new Multihash(SHA2_256, newSha256().digest(data));
  }

  public static Multihash identity(byte[] data) {
    return new Multihash(IDENTITY, data.clone());
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /** Decodes a multihash that spans the whole array. */
  public static Multihash decode(byte[] bytes) {
    Decoded d = decode(bytes, 0);
    if (d.length() != bytes.length) {
      throw new MultiformatException(
          "multihash has " + (bytes.length - d.length()) + " trailing byte(s)");
    }
    return d.multihash();
  }

  /** Decodes a multihash at {@code offset}, reporting how many bytes it took. */
  public static Decoded decode(byte[] bytes, int offset) {
    Varint.Decoded code = Varint.decode(bytes, offset);
    Varint.Decoded len = Varint.decode(bytes, offset + code.length());
    int start = offset + code.length() + len.length();
    if (len.value() > bytes.length - start) {
      throw new MultiformatException(
          "multihash digest length "
              + len.value()
              + " exceeds the "
              + (bytes.length - start)
              + " byte(s) available");
    }
    if (code.value() > Integer.MAX_VALUE) {
      throw new MultiformatException("multihash code too large: " + code.value());
    }
    byte[] digest = Arrays.copyOfRange(bytes, start, start + (int) len.value());
    return new Decoded(
        of((int) code.value(), digest), code.length() + len.length() + digest.length);
  }

  public int code() {
    return code;
  }

  public byte[] digest() {
    return digest.clone();
  }

  public byte[] bytes() {
    byte[] out = new byte[Varint.size(code) + Varint.size(digest.length) + digest.length];
    int off = Varint.write(code, out, 0);
    off = Varint.write(digest.length, out, off);
    System.arraycopy(digest, 0, out, off, digest.length);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multihash m && m.code == code && Arrays.equals(m.digest, digest);
  }

  @Override
  public int hashCode() {
    return 31 * code + Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "multihash(0x"
        + Integer.toHexString(code)
        + ", "
        + HexFormat.of().formatHex(digest)
        + ")";
  }

  /** A decoded multihash and how many bytes it took. */
  public record Decoded(Multihash multihash, int length) {}
}
