package dev.amalgam.protocol.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ChaCha20-Poly1305 AEAD of RFC 8439 section 2.8, in one of two implementations with the same
 * bytes (see {@link Implementation}): the JDK's "ChaCha20-Poly1305" cipher, fastest where HotSpot
 * has its Poly1305 intrinsic (x86-64 with AVX-512 IFMA or AVX-IFMA), or one composed from the JDK's
 * plain "ChaCha20" cipher (vectorised on AVX2) and {@link Poly1305}, several times faster where
 * that intrinsic is missing. {@link Implementation#preferred()} picks one for this machine.
 *
 * <p>One instance holds one key and is reused for many messages, each with its own 12-byte nonce;
 * sealing twice with the same nonce is refused. Encryption and decryption may run in place (same
 * array, same offset). Decryption checks the tag before it writes any plaintext. Not thread-safe.
 */
public final class ChaCha20Poly1305 {
  public static final int KEY_LENGTH = 32;
  public static final int NONCE_LENGTH = 12;
  public static final int TAG_LENGTH = Poly1305.TAG_LENGTH;

  private static final byte[] ZERO_BLOCK = new byte[64];
  private static final VarHandle LE64 =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Which code computes the AEAD; both give the same bytes. */
  public enum Implementation {
    /** The JDK's "ChaCha20-Poly1305" cipher. */
    JDK,
    /** The JDK's plain "ChaCha20" cipher and Amalgam's {@link Poly1305}. */
    COMPOSED;

    /**
     * The system property {@code amalgam.aead} ({@code jdk} or {@code composed}) when set (another
     * value is logged and ignored), else JDK where HotSpot accelerates Poly1305 on this CPU, else
     * COMPOSED.
     */
    public static Implementation preferred() {
      return PREFERRED;
    }
  }

  private static final Implementation PREFERRED = choose();

  private final SecretKeySpec key;
  private final Implementation implementation;
  private final Cipher chacha;
  private final Poly1305 mac = new Poly1305();
  private final byte[] firstBlock = new byte[64];
  private final byte[] lengths = new byte[16];
  private final byte[] computedTag = new byte[TAG_LENGTH];
  private final byte[] receivedTag = new byte[TAG_LENGTH];

  public ChaCha20Poly1305(byte[] key) {
    this(key, Implementation.preferred());
  }

  public ChaCha20Poly1305(byte[] key, Implementation implementation) {
    if (key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "chacha20-poly1305: key of " + key.length + " bytes, expected " + KEY_LENGTH);
    }
    this.key = new SecretKeySpec(key, "ChaCha20");
    this.implementation = implementation;
    String algorithm = implementation == Implementation.JDK ? "ChaCha20-Poly1305" : "ChaCha20";
    try {
      chacha = Cipher.getInstance(algorithm);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks the " + algorithm + " cipher", e);
    }
  }

  public Implementation implementation() {
    return implementation;
  }

  private static Implementation choose() {
    String forced = System.getProperty("amalgam.aead", "").strip();
    if (!forced.isEmpty()) {
      try {
        return Implementation.valueOf(forced.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        System.getLogger(ChaCha20Poly1305.class.getName())
            .log(
                System.Logger.Level.WARNING,
                "ignoring -Damalgam.aead={0}: expected jdk or composed; choosing by CPU",
                forced);
      }
    }
    return Poly1305Intrinsic.likely() ? Implementation.JDK : Implementation.COMPOSED;
  }

  /**
   * Encrypts {@code in[inOffset..inOffset+length)} into {@code out[outOffset..]} and appends the
   * 16-byte tag: writes {@code length + 16} bytes.
   */
  public void seal(
      byte[] nonce, byte[] aad, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    Objects.checkFromIndexSize(inOffset, length, in.length);
    Objects.checkFromIndexSize(outOffset, length + TAG_LENGTH, out.length);
    if (implementation == Implementation.JDK) {
      jdkSeal(nonce, aad, in, inOffset, length, out, outOffset);
      return;
    }
    start(Cipher.ENCRYPT_MODE, nonce, aad);
    transform(in, inOffset, length, out, outOffset);
    mac.update(out, outOffset, length);
    finishTag(aad.length, length, out, outOffset + length);
  }

  /** Returns ciphertext followed by the 16-byte tag. */
  public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext) {
    byte[] out = new byte[plaintext.length + TAG_LENGTH];
    seal(nonce, aad, plaintext, 0, plaintext.length, out, 0);
    return out;
  }

  /**
   * Checks and decrypts {@code in[inOffset..inOffset+length)} (ciphertext followed by the tag) into
   * {@code out[outOffset..]}: writes {@code length - 16} bytes, and nothing when the tag is wrong.
   *
   * @throws AEADBadTagException when the input is shorter than a tag or the tag does not match
   */
  public void open(
      byte[] nonce, byte[] aad, byte[] in, int inOffset, int length, byte[] out, int outOffset)
      throws AEADBadTagException {
    Objects.checkFromIndexSize(inOffset, length, in.length);
    if (length < TAG_LENGTH) {
      throw new AEADBadTagException(
          "chacha20-poly1305: input of " + length + " bytes is shorter than the 16-byte tag");
    }
    int ctLength = length - TAG_LENGTH;
    Objects.checkFromIndexSize(outOffset, ctLength, out.length);
    if (implementation == Implementation.JDK) {
      jdkOpen(nonce, aad, in, inOffset, length, out, outOffset);
      return;
    }
    start(Cipher.DECRYPT_MODE, nonce, aad);
    mac.update(in, inOffset, ctLength);
    finishTag(aad.length, ctLength, computedTag, 0);
    System.arraycopy(in, inOffset + ctLength, receivedTag, 0, TAG_LENGTH);
    if (!MessageDigest.isEqual(computedTag, receivedTag)) {
      throw new AEADBadTagException(
          "chacha20-poly1305: tag mismatch on " + ctLength + " bytes of ciphertext");
    }
    transform(in, inOffset, ctLength, out, outOffset);
  }

  /** Returns the plaintext of ciphertext-plus-tag. */
  public byte[] open(byte[] nonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
    if (sealed.length < TAG_LENGTH) {
      throw new AEADBadTagException(
          "chacha20-poly1305: input of "
              + sealed.length
              + " bytes is shorter than the 16-byte tag");
    }
    byte[] out = new byte[sealed.length - TAG_LENGTH];
    open(nonce, aad, sealed, 0, sealed.length, out, 0);
    return out;
  }

  private void jdkSeal(
      byte[] nonce, byte[] aad, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    jdkInit(Cipher.ENCRYPT_MODE, nonce, aad);
    try {
      chacha.doFinal(in, inOffset, length, out, outOffset);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("chacha20-poly1305: sealing failed", e);
    }
  }

  private void jdkOpen(
      byte[] nonce, byte[] aad, byte[] in, int inOffset, int length, byte[] out, int outOffset)
      throws AEADBadTagException {
    jdkInit(Cipher.DECRYPT_MODE, nonce, aad);
    try {
      chacha.doFinal(in, inOffset, length, out, outOffset);
    } catch (AEADBadTagException e) {
      throw new AEADBadTagException(
          "chacha20-poly1305: tag mismatch on " + (length - TAG_LENGTH) + " bytes of ciphertext");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("chacha20-poly1305: opening failed", e);
    }
  }

  private void jdkInit(int mode, byte[] nonce, byte[] aad) {
    checkNonce(nonce);
    keyCipher(mode, new IvParameterSpec(nonce));
    if (aad.length > 0) {
      chacha.updateAAD(aad);
    }
  }

  /** Keys the cipher for one message; both JDK ciphers refuse the previous nonce again. */
  private void keyCipher(int mode, java.security.spec.AlgorithmParameterSpec params) {
    try {
      chacha.init(mode, key, params);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("chacha20-poly1305: nonce reused with the same key", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("chacha20-poly1305: cannot key the cipher", e);
    }
  }

  private static void checkNonce(byte[] nonce) {
    if (nonce.length != NONCE_LENGTH) {
      throw new IllegalArgumentException(
          "chacha20-poly1305: nonce of " + nonce.length + " bytes, expected " + NONCE_LENGTH);
    }
  }

  /**
   * Keys the cipher for this nonce at block counter 0, takes the first 32 keystream bytes as the
   * one-time Poly1305 key (leaving the cipher at counter 1 for the data) and absorbs the padded
   * AAD.
   */
  private void start(int mode, byte[] nonce, byte[] aad) {
    checkNonce(nonce);
    keyCipher(mode, new ChaCha20ParameterSpec(nonce, 0));
    transform(ZERO_BLOCK, 0, ZERO_BLOCK.length, firstBlock, 0);
    mac.init(firstBlock, 0);
    Arrays.fill(firstBlock, (byte) 0);
    mac.update(aad, 0, aad.length);
    mac.padToBlock();
  }

  private void transform(byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    try {
      int n = chacha.update(in, inOffset, length, out, outOffset);
      if (n != length) {
        throw new IllegalStateException(
            "chacha20-poly1305: the ChaCha20 cipher returned " + n + " of " + length + " bytes");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("chacha20-poly1305: ChaCha20 failed", e);
    }
  }

  private void finishTag(long aadLength, long dataLength, byte[] tag, int tagOffset) {
    mac.padToBlock();
    LE64.set(lengths, 0, aadLength);
    LE64.set(lengths, 8, dataLength);
    mac.update(lengths, 0, lengths.length);
    mac.finish(tag, tagOffset);
  }
}
