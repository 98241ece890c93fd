package dev.amalgam.protocol.crypto;

/** A key or signature that cannot be used: wrong type, wrong size, failed verification. */
public class CryptoException extends IllegalArgumentException {
  public CryptoException(String message) {
    super(message);
  }

  public CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
