package dev.amalgam.node.home;

import java.io.IOException;

/** A node home that cannot be created or read; the message names the file and the fix. */
public class HomeException extends IOException {
  public HomeException(String message) {
    super(message);
  }

  public HomeException(String message, Throwable cause) {
    super(message, cause);
  }
}
