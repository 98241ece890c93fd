package dev.amalgam.protocol.noise;

import dev.amalgam.protocol.crypto.ChaCha20Poly1305;
import javax.crypto.AEADBadTagException;

/**
 * Noise CipherState with ChaCha20-Poly1305: a key and a per-message nonce counter. The 12-byte AEAD
 * nonce is 4 zero bytes followed by the counter as a little-endian 64-bit number.
 */
final class CipherState {
  static final int TAG_LENGTH = ChaCha20Poly1305.TAG_LENGTH;

  /** js-libp2p stops at 2^32-1; so do we, well before the 2^64-1 limit of the spec. */
  private static final long MAX_NONCE = 0xFFFF_FFFFL;

  private static final byte[] NO_AD = new byte[0];

  private ChaCha20Poly1305 aead;
  private long nonce;
  private final byte[] nonceBytes = new byte[ChaCha20Poly1305.NONCE_LENGTH];

  void initializeKey(byte[] k) {
    aead = new ChaCha20Poly1305(k);
    nonce = 0;
  }

  boolean hasKey() {
    return aead != null;
  }

  byte[] encryptWithAd(byte[] ad, byte[] plaintext) throws NoiseException {
    if (aead == null) {
      return plaintext;
    }
    byte[] out = aead.seal(nextNonce(), ad, plaintext);
    nonce++;
    return out;
  }

  byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws NoiseException {
    if (aead == null) {
      return ciphertext;
    }
    if (ciphertext.length < TAG_LENGTH) {
      throw new NoiseException(
          "noise: ciphertext of " + ciphertext.length + " bytes is shorter than the 16-byte tag");
    }
    try {
      byte[] out = aead.open(nextNonce(), ad, ciphertext);
      nonce++;
      return out;
    } catch (AEADBadTagException e) {
      throw new NoiseException("noise: message " + nonce + " failed authentication");
    }
  }

  /**
   * Transport encryption (empty AD) in place: the {@code length} plaintext bytes at {@code offset}
   * become ciphertext, followed by the 16-byte tag, which the array must have room for.
   */
  void encrypt(byte[] buffer, int offset, int length) throws NoiseException {
    aead.seal(nextNonce(), NO_AD, buffer, offset, length, buffer, offset);
    nonce++;
  }

  /**
   * Transport decryption (empty AD) of {@code length} bytes (ciphertext and tag) into {@code
   * out[outOffset..]}; may run in place.
   */
  void decrypt(byte[] in, int inOffset, int length, byte[] out, int outOffset)
      throws NoiseException {
    if (length < TAG_LENGTH) {
      throw new NoiseException(
          "noise: ciphertext of " + length + " bytes is shorter than the 16-byte tag");
    }
    try {
      aead.open(nextNonce(), NO_AD, in, inOffset, length, out, outOffset);
      nonce++;
    } catch (AEADBadTagException e) {
      throw new NoiseException("noise: message " + nonce + " failed authentication");
    }
  }

  private byte[] nextNonce() throws NoiseException {
    if (nonce >= MAX_NONCE) {
      throw new NoiseException("noise: nonce exhausted, the connection must be re-established");
    }
    long n = nonce;
    for (int i = 0; i < 8; i++) {
      nonceBytes[4 + i] = (byte) (n >>> (8 * i));
    }
    return nonceBytes;
  }
}
