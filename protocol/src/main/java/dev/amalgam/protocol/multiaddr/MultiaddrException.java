package dev.amalgam.protocol.multiaddr;

/** A multiaddr that cannot be parsed or decoded. */
public class MultiaddrException extends IllegalArgumentException {
  public MultiaddrException(String message) {
    super(message);
  }
}
