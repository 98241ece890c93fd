package dev.amalgam.node.home;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * A node's home directory: {@code identity.key} (libp2p PrivateKey protobuf, mode 0600), {@code
 * api.token} (control API secret, 0600), {@code config.yaml}, {@code state.db} (SQLite) and the
 * data directory. Resolved from {@code --home}, then {@code AMALGAM_HOME}, then {@code ~/.amalgam}.
 */
public final class NodeHome {
  public static final String IDENTITY = "identity.key";
  public static final String TOKEN = "api.token";
  public static final String CONFIG = "config.yaml";
  public static final String STATE = "state.db";

  private final Path dir;
  private final PrivateKey identity;
  private final NodeConfig config;

  private NodeHome(Path dir, PrivateKey identity, NodeConfig config) {
    this.dir = dir;
    this.identity = identity;
    this.config = config;
  }

  /** The home directory to use: the explicit one, else AMALGAM_HOME, else ~/.amalgam. */
  public static Path resolve(Path explicit) {
    return resolve(explicit, System.getenv());
  }

  static Path resolve(Path explicit, Map<String, String> env) {
    if (explicit != null) {
      return explicit.toAbsolutePath().normalize();
    }
    String fromEnv = env.get("AMALGAM_HOME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv).toAbsolutePath().normalize();
    }
    return Path.of(System.getProperty("user.home"), ".amalgam");
  }

  /** Creates a new home with a fresh identity; refuses to overwrite an existing identity. */
  public static NodeHome init(Path dir, NodeConfig config) throws IOException {
    if (Files.exists(dir.resolve(IDENTITY))) {
      throw new HomeException(
          dir + ": already holds a node identity; use another --home or remove it first");
    }
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Ed25519PrivateKey key = Ed25519PrivateKey.generate();
    AtomicFile.write(dir.resolve(IDENTITY), key.marshal(), true);
    byte[] token = new byte[32];
    new SecureRandom().nextBytes(token);
    AtomicFile.write(
        dir.resolve(TOKEN),
        HexFormat.of().formatHex(token).getBytes(StandardCharsets.US_ASCII),
        true);
    config.write(dir.resolve(CONFIG));
    Files.createDirectories(dir.resolve(config.dataDir()));
    NodeStore.open(dir.resolve(STATE)).close();
    return new NodeHome(dir, key, config);
  }

  /** Opens an existing home, checking the identity file's permissions and the config. */
  public static NodeHome open(Path dir) throws IOException {
    Path keyFile = dir.resolve(IDENTITY);
    if (!Files.exists(keyFile)) {
      throw new HomeException(
          dir + ": no node home here (no " + IDENTITY + "); run 'amalgam init --home " + dir + "'");
    }
    checkOwnerOnly(keyFile);
    PrivateKey key = dev.amalgam.protocol.crypto.IdentityFile.load(keyFile);
    NodeConfig config =
        Files.exists(dir.resolve(CONFIG))
            ? NodeConfig.read(dir.resolve(CONFIG))
            : NodeConfig.defaults();
    return new NodeHome(dir, key, config);
  }

  private static void checkOwnerOnly(Path file) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (perms.stream()
        .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
      throw new HomeException(
          file
              + ": is accessible by other users ("
              + PosixFilePermissions.toString(perms)
              + "); run 'chmod 600 "
              + file
              + "'");
    }
  }

  public Path dir() {
    return dir;
  }

  public PrivateKey identity() {
    return identity;
  }

  public PeerId peerId() {
    return PeerId.fromPublicKey(identity.publicKey());
  }

  public NodeConfig config() {
    return config;
  }

  public Path dataDir() {
    return dir.resolve(config.dataDir());
  }

  public Path statePath() {
    return dir.resolve(STATE);
  }

  public String apiToken() throws IOException {
    Path file = dir.resolve(TOKEN);
    checkOwnerOnly(file);
    return Files.readString(file, StandardCharsets.US_ASCII).strip();
  }
}
