package dev.amalgam.merge.method;

/** A merge that cannot be computed for one tensor; the message names the tensor and the fix. */
public final class MergeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public MergeException(String message) {
    super(message);
  }
}
