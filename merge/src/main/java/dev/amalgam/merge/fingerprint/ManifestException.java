package dev.amalgam.merge.fingerprint;

import dev.amalgam.merge.checkpoint.CheckpointException;

/** A manifest document that is malformed, inconsistent or not in canonical form. */
public final class ManifestException extends CheckpointException {
  public ManifestException(String message) {
    super(message);
  }
}
