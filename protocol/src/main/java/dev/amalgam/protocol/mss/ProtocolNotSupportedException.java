package dev.amalgam.protocol.mss;

/** The peer answered {@code na} to every proposed protocol. */
public class ProtocolNotSupportedException extends MultistreamException {
  public ProtocolNotSupportedException(String message) {
    super(message);
  }
}
