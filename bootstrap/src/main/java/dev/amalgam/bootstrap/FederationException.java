package dev.amalgam.bootstrap;

import java.io.IOException;

/** A federation descriptor or bootstrap address that cannot be used; the message says where. */
public class FederationException extends IOException {
  public FederationException(String message) {
    super(message);
  }
}
