package dev.amalgam.bootstrap.card;

/** A signed expert card that cannot be accepted; the message says why. */
public class CardException extends Exception {
  private final boolean stale;

  public CardException(String message) {
    this(message, false);
  }

  public CardException(String message, boolean stale) {
    super(message);
    this.stale = stale;
  }

  /** True when the card was once valid but has expired: ignored, not held against the sender. */
  public boolean stale() {
    return stale;
  }
}
