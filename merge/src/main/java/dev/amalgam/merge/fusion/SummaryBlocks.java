package dev.amalgam.merge.fusion;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The on-disk layout of a summary directory: {@code summary.json} (the root document) and {@code
 * blocks/<cid>}, one file per raw block, named by its CID, so a node can serve blocks by CID as
 * they are.
 */
public final class SummaryBlocks {
  public static final String ROOT = "summary.json";
  public static final String BLOCKS = "blocks";

  /** Largest block a writer produces; blocks stay well under bitswap's 2 MiB message limit. */
  public static final int MAX_BLOCK = 1 << 20;

  private SummaryBlocks() {}

  /** Whether a directory looks like a summary (has summary.json naming the summary format). */
  public static boolean isSummary(Path dir) {
    Path root = dir.resolve(ROOT);
    if (!Files.isRegularFile(root)) {
      return false;
    }
    try {
      byte[] head = Files.readAllBytes(root);
      return new String(
              head, 0, Math.min(head.length, 4096), java.nio.charset.StandardCharsets.UTF_8)
          .contains("\"" + SummaryManifest.FORMAT + "\"");
    } catch (IOException e) {
      return false;
    }
  }

  public static Cid cidOf(byte[] block) {
    return Cid.v1(Cid.RAW, Multihash.sha256(block));
  }

  static Path blockPath(Path dir, Cid cid) {
    return dir.resolve(BLOCKS).resolve(cid.toString());
  }

  static void write(Path dir, Cid cid, byte[] block) throws IOException {
    Files.createDirectories(dir.resolve(BLOCKS));
    Files.write(blockPath(dir, cid), block);
  }

  /** Reads a block and checks it against its CID. */
  static byte[] read(Path dir, Cid cid) throws IOException {
    Path file = blockPath(dir, cid);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new SummaryFormatException(file + ": block missing (summary incomplete)");
    }
    if (cid.multihash().code() != Multihash.SHA2_256) {
      throw new SummaryFormatException(file + ": CID does not use sha2-256");
    }
    byte[] digest = Multihash.sha256(bytes).digest();
    if (!Arrays.equals(digest, cid.multihash().digest())) {
      throw new SummaryFormatException(
          file
              + ": content ("
              + bytes.length
              + " bytes) does not match its CID (truncated or corrupt)");
    }
    return bytes;
  }
}
