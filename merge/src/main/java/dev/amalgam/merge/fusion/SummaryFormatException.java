package dev.amalgam.merge.fusion;

/** A distribution summary that cannot be read: the message names the file, block and field. */
public final class SummaryFormatException extends IllegalArgumentException {
  public SummaryFormatException(String message) {
    super(message);
  }
}
