package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.MultiformatException;
import dev.amalgam.multiformats.Multihash;
import dev.amalgam.multiformats.Varint;
import dev.amalgam.protocol.proto.ProtoException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * A block as carried on the wire: the CID prefix (version, codec, multihash type and length) and
 * the data. Its CID is only known after hashing the data, so a corrupted block simply has another
 * CID.
 */
public record Block(byte[] prefix, ByteBuffer data) {
  /** Bitswap 1.0.0 blocks carry no prefix: they are CIDv0 (dag-pb, sha2-256). */
  static final byte[] V0_PREFIX = {0, 0x70, 0x12, 0x20};

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(Multihash::newSha256);

  /** A block to send: the prefix of its CID and its bytes (a view, not copied until encoded). */
  public static Block of(Cid cid, ByteBuffer data) {
    return new Block(prefixOf(cid), data);
  }

  public int size() {
    return data.remaining();
  }

  /** The prefix that, with the block's data, yields {@code cid}. */
  public static byte[] prefixOf(Cid cid) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8);
    Varint.write(cid.version(), out);
    Varint.write(cid.codec(), out);
    Varint.write(cid.multihash().code(), out);
    Varint.write(cid.multihash().digest().length, out);
    return out.toByteArray();
  }

  /**
   * Hashes the data as the prefix says and returns the block's CID. Only sha2-256 with its full
   * 32-byte digest is accepted: anything else cannot be verified.
   */
  public Cid computeCid() {
    long version;
    long codec;
    long hashCode;
    long hashLength;
    int off = 0;
    try {
      Varint.Decoded v = Varint.decode(prefix, off);
      off += v.length();
      Varint.Decoded c = Varint.decode(prefix, off);
      off += c.length();
      Varint.Decoded h = Varint.decode(prefix, off);
      off += h.length();
      Varint.Decoded l = Varint.decode(prefix, off);
      off += l.length();
      version = v.value();
      codec = c.value();
      hashCode = h.value();
      hashLength = l.value();
    } catch (MultiformatException e) {
      throw new ProtoException("block prefix: " + e.getMessage() + " at offset " + off);
    }
    if (off != prefix.length) {
      throw new ProtoException("block prefix has " + (prefix.length - off) + " trailing byte(s)");
    }
    if (hashCode != Multihash.SHA2_256 || hashLength != 32) {
      throw new ProtoException(
          "block prefix names multihash 0x"
              + Long.toHexString(hashCode)
              + " of "
              + hashLength
              + " bytes; only sha2-256 (0x12, 32 bytes) can be verified");
    }
    MessageDigest sha = SHA256.get();
    sha.reset();
    sha.update(data.duplicate());
    Multihash mh = Multihash.of(Multihash.SHA2_256, sha.digest());
    if (version == 0) {
      if (codec != Cid.DAG_PB) {
        throw new ProtoException("block prefix: CIDv0 with codec 0x" + Long.toHexString(codec));
      }
      return Cid.v0(mh);
    }
    if (version != 1 || codec > Integer.MAX_VALUE) {
      throw new ProtoException("block prefix: unsupported CID version " + version);
    }
    return Cid.v1((int) codec, mh);
  }
}
