package dev.amalgam.merge.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint that cannot be read or written; the message names the file and the problem. */
public class CheckpointException extends IOException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }

  public static CheckpointException in(Path file, String problem) {
    return new CheckpointException(file + ": " + problem);
  }
}
