package dev.amalgam.protocol.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/** An Ed25519 private key (32-byte seed) with the JDK's EdDSA implementation. */
public final class Ed25519PrivateKey implements PrivateKey {
  private final byte[] seed;
  private final java.security.PrivateKey jdkKey;
  private final Ed25519PublicKey publicKey;

  private Ed25519PrivateKey(KeyPair pair) {
    this.jdkKey = pair.getPrivate();
    this.seed =
        ((EdECPrivateKey) pair.getPrivate())
            .getBytes()
            .orElseThrow(() -> new CryptoException("the JDK did not expose the Ed25519 seed"));
    this.publicKey = Ed25519PublicKey.fromJdk(pair.getPublic());
  }

  public static Ed25519PrivateKey generate() {
    return generate(new SecureRandom());
  }

  public static Ed25519PrivateKey generate(SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, random);
      return new Ed25519PrivateKey(g.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks Ed25519", e);
    }
  }

  /** Rebuilds the key pair from a 32-byte seed (the JDK derives the public key from it). */
  public static Ed25519PrivateKey fromSeed(byte[] seed) {
    if (seed.length != 32) {
      throw new CryptoException("Ed25519 seed must be 32 bytes, got " + seed.length);
    }
    return generate(new FixedBytesRandom(seed));
  }

  /** Parses libp2p's Data field: seed‖pub (64 bytes) or the legacy seed‖pub‖pub (96 bytes). */
  public static Ed25519PrivateKey fromLibp2pData(byte[] data) {
    if (data.length != 64 && data.length != 96) {
      throw new CryptoException(
          "Ed25519 private key data must be 64 or 96 bytes, got " + data.length);
    }
    byte[] pub = Arrays.copyOfRange(data, 32, 64);
    if (data.length == 96 && !Arrays.equals(pub, Arrays.copyOfRange(data, 64, 96))) {
      throw new CryptoException("Ed25519 private key: the two public key copies differ");
    }
    Ed25519PrivateKey key = fromSeed(Arrays.copyOfRange(data, 0, 32));
    if (!Arrays.equals(key.publicKey.raw(), pub)) {
      throw new CryptoException("Ed25519 private key: public key does not match the seed");
    }
    return key;
  }

  @Override
  public KeyType type() {
    return KeyType.ED25519;
  }

  /** seed‖pub, 64 bytes, as libp2p stores it. */
  @Override
  public byte[] raw() {
    byte[] out = Arrays.copyOf(seed, 64);
    System.arraycopy(publicKey.raw(), 0, out, 32, 32);
    return out;
  }

  @Override
  public byte[] sign(byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(jdkKey);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  @Override
  public Ed25519PublicKey publicKey() {
    return publicKey;
  }

  /** Feeds the key generator exactly the given seed. */
  private static final class FixedBytesRandom extends SecureRandom {
    private final byte[] bytes;
    private int used;

    FixedBytesRandom(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    @Override
    public void nextBytes(byte[] out) {
      if (used + out.length > bytes.length) {
        throw new IllegalStateException("seed exhausted");
      }
      System.arraycopy(bytes, used, out, 0, out.length);
      used += out.length;
    }
  }
}
