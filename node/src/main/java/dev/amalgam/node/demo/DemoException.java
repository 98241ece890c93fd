package dev.amalgam.node.demo;

import java.io.IOException;

/** A demo step that failed; its message is the one line the user sees. */
public final class DemoException extends IOException {
  public DemoException(String message) {
    super(message);
  }

  public DemoException(String message, Throwable cause) {
    super(message, cause);
  }
}
