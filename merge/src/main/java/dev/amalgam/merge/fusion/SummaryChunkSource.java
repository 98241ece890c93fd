package dev.amalgam.merge.fusion;

import dev.amalgam.merge.exchange.ChunkSource;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves a summary directory by CID: summary.json under the summary id (its bytes are the root
 * block) and every block file under its own CID, read from disk when asked (blocks are small).
 * Opening checks that summary.json is canonical, so its CID is the id the summary is known by.
 */
public final class SummaryChunkSource implements ChunkSource {
  private final Cid id;
  private final byte[] root;
  private final SummaryManifest manifest;
  private final Map<Cid, Path> blocks = new LinkedHashMap<>();

  private SummaryChunkSource(Cid id, byte[] root, SummaryManifest manifest) {
    this.id = id;
    this.root = root;
    this.manifest = manifest;
  }

  /** The id a root block's bytes give: CIDv1(json, sha2-256(bytes)). */
  public static Cid rootCid(byte[] rootBytes) {
    return Cid.v1(SummaryManifest.JSON_CODEC, Multihash.sha256(rootBytes));
  }

  /** Indexes the directory's blocks; fails if summary.json is not canonical or a block is gone. */
  public static SummaryChunkSource open(Path dir) throws IOException {
    Path rootFile = dir.resolve(SummaryBlocks.ROOT);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(rootFile);
    } catch (NoSuchFileException e) {
      throw new SummaryFormatException(
          dir + ": not a summary directory (no " + SummaryBlocks.ROOT + ")");
    }
    SummaryManifest manifest = SummaryManifest.parse(bytes, rootFile.toString());
    Cid id = rootCid(bytes);
    if (!id.equals(manifest.id())) {
      throw new SummaryFormatException(
          rootFile
              + ": not in canonical form (its bytes hash to "
              + id
              + ", its content to "
              + manifest.id()
              + "); it was edited after 'amalgam summarize'");
    }
    SummaryChunkSource s = new SummaryChunkSource(id, bytes, manifest);
    for (Cid cid : manifest.vocabulary().blocks()) {
      s.index(dir, cid);
    }
    for (SummaryManifest.ChunkEntry c : manifest.chunks()) {
      s.index(dir, c.cid());
    }
    return s;
  }

  private void index(Path dir, Cid cid) throws SummaryFormatException {
    Path file = SummaryBlocks.blockPath(dir, cid);
    if (!Files.isRegularFile(file)) {
      throw new SummaryFormatException(file + ": block missing (summary incomplete)");
    }
    blocks.put(cid, file);
  }

  public Cid id() {
    return id;
  }

  public SummaryManifest manifest() {
    return manifest;
  }

  /** Blocks served, the root included. */
  public int blockCount() {
    return blocks.size() + 1;
  }

  /** Bytes of the root and every block. */
  public long totalBytes() {
    return root.length + manifest.blockBytes();
  }

  @Override
  public long size(Cid cid) {
    if (cid.equals(id)) {
      return root.length;
    }
    Path file = blocks.get(cid);
    if (file == null) {
      return -1;
    }
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public ByteBuffer get(Cid cid) throws IOException {
    if (cid.equals(id)) {
      return ByteBuffer.wrap(root).asReadOnlyBuffer();
    }
    Path file = blocks.get(cid);
    if (file == null) {
      return null;
    }
    try {
      return ByteBuffer.wrap(Files.readAllBytes(file)).asReadOnlyBuffer();
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
