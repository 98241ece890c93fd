package dev.amalgam.protocol.pubsub;

/** An application validator's verdict: Reject counts against the sender (P4), Ignore does not. */
public enum ValidationResult {
  ACCEPT,
  REJECT,
  IGNORE
}
