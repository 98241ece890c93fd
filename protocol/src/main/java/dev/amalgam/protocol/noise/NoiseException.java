package dev.amalgam.protocol.noise;

/** The Noise handshake or a transport message failed; the connection must be closed. */
public class NoiseException extends Exception {
  public NoiseException(String message) {
    super(message);
  }

  public NoiseException(String message, Throwable cause) {
    super(message, cause);
  }
}
