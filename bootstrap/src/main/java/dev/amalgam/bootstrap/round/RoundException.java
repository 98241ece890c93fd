package dev.amalgam.bootstrap.round;

/** A round proposal or result that does not verify or is malformed; the message says which. */
public final class RoundException extends Exception {
  public RoundException(String message) {
    super(message);
  }
}
