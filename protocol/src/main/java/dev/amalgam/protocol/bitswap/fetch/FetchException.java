package dev.amalgam.protocol.bitswap.fetch;

import java.io.IOException;

/** The fetch could not complete: no provider left, or none has some block. */
public final class FetchException extends IOException {
  public FetchException(String message) {
    super(message);
  }

  public FetchException(String message, Throwable cause) {
    super(message, cause);
  }
}
