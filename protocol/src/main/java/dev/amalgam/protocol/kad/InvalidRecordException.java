package dev.amalgam.protocol.kad;

/** A record that its namespace's validator refused. */
public final class InvalidRecordException extends IllegalArgumentException {
  public InvalidRecordException(String message) {
    super(message);
  }
}
