package dev.amalgam.protocol.noise;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise_XX_25519_ChaChaPoly_SHA256 handshake state machine with an empty prologue, using only
 * JDK crypto. Message order: initiator writes 1, responder writes 2, initiator writes 3.
 */
public final class NoiseXX {
  static final byte[] PROTOCOL_NAME =
      "Noise_XX_25519_ChaChaPoly_SHA256".getBytes(StandardCharsets.US_ASCII);
  static final int DH_LENGTH = 32;

  private final boolean initiator;
  private final KeyPair localStatic;
  private KeyPair localEphemeral;
  private byte[] remoteEphemeral;
  private byte[] remoteStatic;
  private byte[] h;
  private byte[] ck;
  private final CipherState cipher = new CipherState();
  private int step;

  public NoiseXX(boolean initiator, KeyPair localStatic) {
    this.initiator = initiator;
    this.localStatic = localStatic;
    this.h = PROTOCOL_NAME.clone(); // exactly 32 bytes: used unhashed
    this.ck = h.clone();
    mixHash(new byte[0]); // empty prologue
  }

  public static KeyPair generateX25519() {
    try {
      return KeyPairGenerator.getInstance("X25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks X25519", e);
    }
  }

  public static byte[] rawPublic(KeyPair pair) {
    return rawPublic(pair.getPublic());
  }

  static byte[] rawPublic(PublicKey key) {
    BigInteger u = ((XECPublicKey) key).getU();
    byte[] be = u.toByteArray();
    byte[] le = new byte[DH_LENGTH];
    for (int i = 0; i < Math.min(be.length, DH_LENGTH); i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** The remote static X25519 key, known after message 2 (initiator) or 3 (responder). */
  public byte[] remoteStatic() {
    return remoteStatic.clone();
  }

  /** Writes the next handshake message carrying {@code payload}. */
  public byte[] writeMessage(byte[] payload) throws NoiseException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    switch (nextStep(true)) {
      case 1 -> {
        localEphemeral = generateX25519();
        byte[] e = rawPublic(localEphemeral);
        out.writeBytes(e);
        mixHash(e);
      }
      case 2 -> {
        localEphemeral = generateX25519();
        byte[] e = rawPublic(localEphemeral);
        out.writeBytes(e);
        mixHash(e);
        mixKey(dh(localEphemeral.getPrivate(), remoteEphemeral)); // ee
        out.writeBytes(encryptAndHash(rawPublic(localStatic)));
        mixKey(dh(localStatic.getPrivate(), remoteEphemeral)); // es
      }
      case 3 -> {
        out.writeBytes(encryptAndHash(rawPublic(localStatic)));
        mixKey(dh(localStatic.getPrivate(), remoteEphemeral)); // se
      }
      default -> throw new IllegalStateException();
    }
    out.writeBytes(encryptAndHash(payload));
    return out.toByteArray();
  }

  /** Reads the next handshake message and returns its decrypted payload. */
  public byte[] readMessage(byte[] message) throws NoiseException {
    int pos = 0;
    int s = nextStep(false);
    switch (s) {
      case 1 -> {
        need(message, DH_LENGTH, 1);
        remoteEphemeral = Arrays.copyOfRange(message, 0, DH_LENGTH);
        mixHash(remoteEphemeral);
        pos = DH_LENGTH;
      }
      case 2 -> {
        need(message, DH_LENGTH + DH_LENGTH + CipherState.TAG_LENGTH, 2);
        remoteEphemeral = Arrays.copyOfRange(message, 0, DH_LENGTH);
        mixHash(remoteEphemeral);
        mixKey(dh(localEphemeral.getPrivate(), remoteEphemeral)); // ee
        int sLen = DH_LENGTH + CipherState.TAG_LENGTH;
        remoteStatic = decryptAndHash(Arrays.copyOfRange(message, DH_LENGTH, DH_LENGTH + sLen));
        mixKey(dh(localEphemeral.getPrivate(), remoteStatic)); // es
        pos = DH_LENGTH + sLen;
      }
      case 3 -> {
        int sLen = DH_LENGTH + CipherState.TAG_LENGTH;
        need(message, sLen, 3);
        remoteStatic = decryptAndHash(Arrays.copyOfRange(message, 0, sLen));
        mixKey(dh(localEphemeral.getPrivate(), remoteStatic)); // se
        pos = sLen;
      }
      default -> throw new IllegalStateException();
    }
    return decryptAndHash(Arrays.copyOfRange(message, pos, message.length));
  }

  public boolean isComplete() {
    return step == 3;
  }

  /** Splits into (send, receive) transport ciphers for this side. */
  public TransportCiphers split() {
    if (!isComplete()) {
      throw new IllegalStateException("handshake not complete");
    }
    byte[][] keys = hkdf(ck, new byte[0]);
    CipherState c1 = new CipherState();
    c1.initializeKey(Arrays.copyOf(keys[0], 32));
    CipherState c2 = new CipherState();
    c2.initializeKey(Arrays.copyOf(keys[1], 32));
    return initiator ? new TransportCiphers(c1, c2) : new TransportCiphers(c2, c1);
  }

  /** The two directions of an established Noise session. */
  public record TransportCiphers(CipherState sender, CipherState receiver) {
    // byte[] forms for tests and small messages
    public byte[] encrypt(byte[] plaintext) throws NoiseException {
      return sender.encryptWithAd(new byte[0], plaintext);
    }

    public byte[] decrypt(byte[] ciphertext) throws NoiseException {
      return receiver.decryptWithAd(new byte[0], ciphertext);
    }
  }

  private int nextStep(boolean writing) {
    int next = step + 1;
    boolean initiatorWrites = next != 2;
    if (next > 3 || initiatorWrites != (initiator == writing)) {
      throw new IllegalStateException(
          "noise: cannot " + (writing ? "write" : "read") + " handshake message " + next);
    }
    step = next;
    return next;
  }

  private static void need(byte[] message, int min, int number) throws NoiseException {
    if (message.length < min) {
      throw new NoiseException(
          "noise: handshake message "
              + number
              + " has "
              + message.length
              + " bytes, needs at least "
              + min);
    }
  }

  private byte[] encryptAndHash(byte[] plaintext) throws NoiseException {
    byte[] c = cipher.encryptWithAd(h, plaintext);
    mixHash(c);
    return c;
  }

  private byte[] decryptAndHash(byte[] ciphertext) throws NoiseException {
    byte[] p = cipher.decryptWithAd(h, ciphertext);
    mixHash(ciphertext);
    return p;
  }

  private void mixHash(byte[] data) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(h);
      d.update(data);
      h = d.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void mixKey(byte[] ikm) {
    byte[][] out = hkdf(ck, ikm);
    ck = out[0];
    cipher.initializeKey(Arrays.copyOf(out[1], 32));
  }

  static byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
    byte[] t = hmac(chainingKey, ikm);
    byte[] o1 = hmac(t, new byte[] {1});
    byte[] in2 = Arrays.copyOf(o1, o1.length + 1);
    in2[o1.length] = 2;
    byte[] o2 = hmac(t, in2);
    return new byte[][] {o1, o2};
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] dh(PrivateKey local, byte[] remoteRaw) throws NoiseException {
    try {
      byte[] le = remoteRaw.clone();
      le[31] &= 0x7F;
      byte[] be = new byte[DH_LENGTH];
      for (int i = 0; i < DH_LENGTH; i++) {
        be[i] = le[DH_LENGTH - 1 - i];
      }
      PublicKey remote =
          KeyFactory.getInstance("X25519")
              .generatePublic(
                  new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
      KeyAgreement ka = KeyAgreement.getInstance("X25519");
      ka.init(local);
      ka.doPhase(remote, true);
      return ka.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new NoiseException("noise: X25519 agreement failed: " + e.getMessage(), e);
    }
  }
}
