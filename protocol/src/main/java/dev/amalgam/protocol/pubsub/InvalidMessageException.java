package dev.amalgam.protocol.pubsub;

/** A pubsub message that fails signature or structural checks. */
public final class InvalidMessageException extends IllegalArgumentException {
  public InvalidMessageException(String message) {
    super(message);
  }
}
