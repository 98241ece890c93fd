package dev.amalgam.multiformats;

import java.util.Arrays;

/**
 * A content identifier. Version 0 is a bare sha2-256 multihash (base58, {@code Qm...}); version 1
 * is {@code varint(1) || varint(codec) || multihash}, written in base32 with the {@code b} prefix.
 */
public final class Cid implements Comparable<Cid> {
  public static final int RAW = 0x55;
  public static final int DAG_PB = 0x70;
  public static final int DAG_CBOR = 0x71;
  public static final int LIBP2P_KEY = 0x72;

  private final int version;
  private final int codec;
  private final Multihash multihash;
  private final byte[] bytes;

  private Cid(int version, int codec, Multihash multihash) {
    this.version = version;
    this.codec = codec;
    this.multihash = multihash;
    this.bytes = version == 0 ? multihash.bytes() : encodeV1(codec, multihash);
  }

  public static Cid v1(int codec, Multihash multihash) {
    return new Cid(1, codec, multihash);
  }

  public static Cid v0(Multihash multihash) {
    if (multihash.code() != Multihash.SHA2_256) {
      throw new MultiformatException("CIDv0 requires a sha2-256 multihash");
    }
    return new Cid(0, DAG_PB, multihash);
  }

  /** CIDv1, raw codec, sha2-256 of {@code data}: the id of a raw block. */
  public static Cid rawSha256(byte[] data) {
    return v1(RAW, Multihash.sha256(data));
  }

  /** CIDv1, raw codec, of an already computed sha2-256 digest. */
  public static Cid rawFromSha256Digest(byte[] digest) {
    return v1(RAW, Multihash.of(Multihash.SHA2_256, digest));
  }

  public static Cid decode(byte[] bytes) {
    if (bytes.length == 34 && bytes[0] == 0x12 && bytes[1] == 0x20) {
      return v0(Multihash.decode(bytes));
    }
    Varint.Decoded version = Varint.decode(bytes, 0);
    if (version.value() != 1) {
      throw new MultiformatException("unsupported CID version " + version.value());
    }
    Varint.Decoded codec = Varint.decode(bytes, version.length());
    if (codec.value() > Integer.MAX_VALUE) {
      throw new MultiformatException("CID codec too large: " + codec.value());
    }
    int off = version.length() + codec.length();
    Multihash.Decoded mh = Multihash.decode(bytes, off);
    if (off + mh.length() != bytes.length) {
      throw new MultiformatException("CID has trailing bytes");
    }
    return v1((int) codec.value(), mh.multihash());
  }

  /** Parses the text form: {@code Qm...} (v0) or a multibase string (v1). */
  public static Cid parse(String text) {
    if (text.length() == 46 && text.startsWith("Qm")) {
      return decode(Base58.decode(text));
    }
    try {
      return decode(Multibase.decode(text));
    } catch (MultiformatException e) {
      throw new MultiformatException("'" + abbreviate(text) + "' is not a CID: " + e.getMessage());
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  private static byte[] encodeV1(int codec, Multihash multihash) {
    byte[] mh = multihash.bytes();
    byte[] out = new byte[1 + Varint.size(codec) + mh.length];
    int off = Varint.write(1, out, 0);
    off = Varint.write(codec, out, off);
    System.arraycopy(mh, 0, out, off, mh.length);
    return out;
  }

  public int version() {
    return version;
  }

  public int codec() {
    return codec;
  }

  public Multihash multihash() {
    return multihash;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public String toString() {
    return version == 0 ? Base58.encode(bytes) : Multibase.encodeBase32(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cid c && Arrays.equals(c.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(Cid o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }
}
