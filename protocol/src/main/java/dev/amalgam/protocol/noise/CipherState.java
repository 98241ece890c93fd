package dev.amalgam.protocol.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Noise CipherState with ChaCha20-Poly1305: a key and a per-message nonce counter. */
final class CipherState {
  static final int TAG_LENGTH = 16;

  /** js-libp2p stops at 2^32-1; so do we, well before the 2^64-1 limit of the spec. */
  private static final long MAX_NONCE = 0xFFFF_FFFFL;

  private SecretKeySpec key;
  private long nonce;
  private final Cipher cipher;

  CipherState() {
    try {
      cipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks ChaCha20-Poly1305", e);
    }
  }

  void initializeKey(byte[] k) {
    key = new SecretKeySpec(k, "ChaCha20");
    nonce = 0;
  }

  boolean hasKey() {
    return key != null;
  }

  byte[] encryptWithAd(byte[] ad, byte[] plaintext) throws NoiseException {
    if (key == null) {
      return plaintext;
    }
    return run(Cipher.ENCRYPT_MODE, ad, plaintext);
  }

  byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws NoiseException {
    if (key == null) {
      return ciphertext;
    }
    if (ciphertext.length < TAG_LENGTH) {
      throw new NoiseException(
          "noise: ciphertext of " + ciphertext.length + " bytes is shorter than the 16-byte tag");
    }
    return run(Cipher.DECRYPT_MODE, ad, ciphertext);
  }

  /**
   * Transport encryption (empty AD) from {@code inputs} into {@code out}, which must have room for
   * the plaintext plus the 16-byte tag.
   */
  void encrypt(ByteBuffer[] inputs, ByteBuffer out) throws NoiseException {
    try {
      init(Cipher.ENCRYPT_MODE);
      for (ByteBuffer in : inputs) {
        cipher.update(in, out);
      }
      cipher.doFinal(ByteBuffer.allocate(0), out);
      nonce++;
    } catch (GeneralSecurityException e) {
      throw new NoiseException("noise: cipher failure on message " + nonce, e);
    }
  }

  /** Transport decryption (empty AD) of {@code in} into {@code out}. */
  void decrypt(ByteBuffer in, ByteBuffer out) throws NoiseException {
    if (in.remaining() < TAG_LENGTH) {
      throw new NoiseException(
          "noise: ciphertext of " + in.remaining() + " bytes is shorter than the 16-byte tag");
    }
    try {
      init(Cipher.DECRYPT_MODE);
      cipher.doFinal(in, out);
      nonce++;
    } catch (AEADBadTagException e) {
      throw new NoiseException("noise: message " + nonce + " failed authentication");
    } catch (GeneralSecurityException e) {
      throw new NoiseException("noise: cipher failure on message " + nonce, e);
    }
  }

  private void init(int mode) throws GeneralSecurityException, NoiseException {
    if (nonce >= MAX_NONCE) {
      throw new NoiseException("noise: nonce exhausted, the connection must be re-established");
    }
    byte[] iv = new byte[12];
    long n = nonce;
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (n >>> (8 * i));
    }
    cipher.init(mode, key, new IvParameterSpec(iv));
  }

  private byte[] run(int mode, byte[] ad, byte[] input) throws NoiseException {
    try {
      init(mode);
      if (ad.length > 0) {
        cipher.updateAAD(ad);
      }
      byte[] out = cipher.doFinal(input);
      nonce++;
      return out;
    } catch (AEADBadTagException e) {
      throw new NoiseException("noise: message " + nonce + " failed authentication");
    } catch (GeneralSecurityException e) {
      throw new NoiseException("noise: cipher failure on message " + nonce, e);
    }
  }
}
