package dev.amalgam.protocol.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

/** An Ed25519 public key held as its 32-byte RFC 8032 encoding, verified with the JDK. */
public final class Ed25519PublicKey implements PublicKey {
  public static final int SIZE = 32;
  private final byte[] raw;
  private final java.security.PublicKey jdkKey;

  private Ed25519PublicKey(byte[] raw, java.security.PublicKey jdkKey) {
    this.raw = raw;
    this.jdkKey = jdkKey;
  }

  public static Ed25519PublicKey fromRaw(byte[] raw) {
    if (raw.length != SIZE) {
      throw new CryptoException("Ed25519 public key must be 32 bytes, got " + raw.length);
    }
    byte[] le = raw.clone();
    boolean xOdd = (le[31] & 0x80) != 0;
    le[31] &= 0x7F;
    BigInteger y = new BigInteger(1, reverse(le));
    try {
      var spec = new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(xOdd, y));
      return new Ed25519PublicKey(
          raw.clone(), KeyFactory.getInstance("Ed25519").generatePublic(spec));
    } catch (GeneralSecurityException e) {
      throw new CryptoException("invalid Ed25519 public key " + HexFormat.of().formatHex(raw), e);
    }
  }

  static Ed25519PublicKey fromJdk(java.security.PublicKey key) {
    EdECPoint p = ((EdECPublicKey) key).getPoint();
    byte[] be = p.getY().toByteArray();
    byte[] le = new byte[SIZE];
    for (int i = 0; i < Math.min(be.length, SIZE); i++) {
      le[i] = be[be.length - 1 - i];
    }
    if (p.isXOdd()) {
      le[31] |= (byte) 0x80;
    }
    return new Ed25519PublicKey(le, key);
  }

  @Override
  public KeyType type() {
    return KeyType.ED25519;
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public boolean verify(byte[] message, byte[] signature) {
    if (signature.length != 64) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(jdkKey);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] reverse(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519PublicKey k && Arrays.equals(raw, k.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "Ed25519PublicKey(" + HexFormat.of().formatHex(raw) + ")";
  }
}
