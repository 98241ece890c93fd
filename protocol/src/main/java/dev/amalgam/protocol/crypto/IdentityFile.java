package dev.amalgam.protocol.crypto;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** A private key stored as its libp2p {@code PrivateKey} protobuf bytes in a file. */
public final class IdentityFile {
  private IdentityFile() {}

  public static PrivateKey load(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return PrivateKey.unmarshal(bytes);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": not a libp2p private key: " + e.getMessage(), e);
    }
  }

  /** Loads the key, or creates a new Ed25519 key readable only by the owner. */
  public static PrivateKey loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return load(file);
    }
    Ed25519PrivateKey key = Ed25519PrivateKey.generate();
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      return load(file);
    }
    Files.write(file, key.marshal(), StandardOpenOption.TRUNCATE_EXISTING);
    return key;
  }
}
