package dev.amalgam.node.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the demo's temporary directories. */
final class TempDirs {
  private TempDirs() {}

  /** Deletes {@code dir} and everything in it; what cannot be deleted is left. */
  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // left behind; nothing else to do about it
                }
              });
    } catch (IOException e) {
      // the directory went away or cannot be listed
    }
  }
}
