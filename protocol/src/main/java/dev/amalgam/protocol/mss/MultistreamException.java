package dev.amalgam.protocol.mss;

import java.io.IOException;

/**
 * multistream-select negotiation failed: malformed message, wrong header, or no common protocol.
 */
public class MultistreamException extends IOException {
  public MultistreamException(String message) {
    super(message);
  }
}
