package dev.amalgam.merge.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A directory built under a temporary sibling name and renamed into place only when complete, so a
 * reader never sees half an output and an interrupted writer leaves only a {@code .partial} folder.
 */
public final class AtomicDirectory implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private boolean committed;

  private AtomicDirectory(Path target, Path temp) {
    this.target = target;
    this.temp = temp;
  }

  public static AtomicDirectory create(Path target) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    Path temp =
        parent.resolve(
            "."
                + absolute.getFileName()
                + ".partial-"
                + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectory(temp);
    return new AtomicDirectory(absolute, temp);
  }

  /** Where to write files before {@link #commit}. */
  public Path path() {
    return temp;
  }

  public Path target() {
    return target;
  }

  /**
   * Flushes every file to disk and renames the directory into place. An existing target is replaced
   * only when {@code replace} is set.
   */
  public Path commit(boolean replace) throws IOException {
    syncTree(temp);
    Path trash = null;
    if (Files.exists(target)) {
      if (!replace) {
        throw new CheckpointException(
            target + ": already exists (choose another output or remove it)");
      }
      trash =
          target.resolveSibling(
              "." + target.getFileName() + ".old-" + UUID.randomUUID().toString().substring(0, 8));
      Files.move(target, trash, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target);
    }
    syncDirectory(target.getParent());
    committed = true;
    if (trash != null) {
      deleteTree(trash);
    }
    return target;
  }

  /** Removes the temporary directory unless it was committed. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      deleteTree(temp);
    }
  }

  public static void syncTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
          }
        }
      }
    }
    syncDirectory(dir);
  }

  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // Some file systems refuse fsync on directories; the rename is still atomic there.
    }
  }

  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
