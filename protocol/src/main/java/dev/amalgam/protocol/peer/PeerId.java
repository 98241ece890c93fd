package dev.amalgam.protocol.peer;

import dev.amalgam.multiformats.Base58;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.MultiformatException;
import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.crypto.PublicKey;
import java.util.Arrays;
import java.util.Optional;

/** A libp2p peer id: the multihash of the peer's encoded public key. */
public final class PeerId {
  /** Encoded keys up to this size are inlined with the identity multihash. */
  public static final int MAX_INLINE_KEY_LENGTH = 42;

  private final Multihash multihash;
  private final byte[] bytes;

  private PeerId(Multihash multihash) {
    this.multihash = multihash;
    this.bytes = multihash.bytes();
  }

  public static PeerId fromPublicKey(PublicKey key) {
    byte[] encoded = key.marshal();
    return new PeerId(
        encoded.length <= MAX_INLINE_KEY_LENGTH
            ? Multihash.identity(encoded)
            : Multihash.sha256(encoded));
  }

  /** Parses the multihash bytes of a peer id; only identity and sha2-256 multihashes are ids. */
  public static PeerId fromBytes(byte[] bytes) {
    Multihash mh;
    try {
      mh = Multihash.decode(bytes);
    } catch (MultiformatException e) {
      throw new MultiformatException("invalid peer id bytes: " + e.getMessage());
    }
    if (mh.code() == Multihash.IDENTITY) {
      if (mh.digest().length > MAX_INLINE_KEY_LENGTH) {
        throw new MultiformatException(
            "invalid peer id: identity multihash of " + mh.digest().length + " bytes exceeds 42");
      }
      PublicKey.unmarshal(mh.digest());
    } else if (mh.code() != Multihash.SHA2_256) {
      throw new MultiformatException(
          "invalid peer id: multihash code 0x" + Integer.toHexString(mh.code()) + " is not an id");
    }
    return new PeerId(mh);
  }

  /** Parses either the legacy base58btc form ({@code 12D3KooW…}, {@code Qm…}) or the CID form. */
  public static PeerId parse(String text) {
    try {
      if (text.startsWith("1") || text.startsWith("Qm")) {
        return fromBytes(Base58.decode(text));
      }
      Cid cid = Cid.parse(text);
      if (cid.codec() != Cid.LIBP2P_KEY) {
        throw new MultiformatException(
            "CID codec is 0x" + Integer.toHexString(cid.codec()) + ", expected libp2p-key (0x72)");
      }
      return fromBytes(cid.multihash().bytes());
    } catch (IllegalArgumentException e) {
      throw new MultiformatException("'" + text + "' is not a peer id: " + e.getMessage());
    }
  }

  /** The public key when it is inlined in the id (identity multihash). */
  public Optional<PublicKey> inlinedPublicKey() {
    return multihash.code() == Multihash.IDENTITY
        ? Optional.of(PublicKey.unmarshal(multihash.digest()))
        : Optional.empty();
  }

  public boolean matches(PublicKey key) {
    return equals(fromPublicKey(key));
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public Multihash multihash() {
    return multihash;
  }

  public String toBase58() {
    return Base58.encode(bytes);
  }

  public String toCidString() {
    return Cid.v1(Cid.LIBP2P_KEY, multihash).toString();
  }

  @Override
  public String toString() {
    return toBase58();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId p && Arrays.equals(bytes, p.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
