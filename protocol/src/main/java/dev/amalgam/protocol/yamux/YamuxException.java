package dev.amalgam.protocol.yamux;

/** The peer violated the yamux protocol; the session is closed with GoAway(protocol error). */
public class YamuxException extends Exception {
  public YamuxException(String message) {
    super(message);
  }
}
