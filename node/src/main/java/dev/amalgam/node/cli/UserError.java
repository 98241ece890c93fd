package dev.amalgam.node.cli;

/**
 * A failure caused by the user's input or environment; reported as one line with no stack trace.
 */
public class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
