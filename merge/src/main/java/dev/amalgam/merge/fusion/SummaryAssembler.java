package dev.amalgam.merge.fusion;

import dev.amalgam.merge.checkpoint.AtomicDirectory;
import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;

/**
 * Lays out a summary fetched block by block: starts from the root block (which must hash to the
 * requested id), takes each listed block once its bytes match its CID, and on {@link #commit}
 * checks the whole summary as {@code fuse} would read it before renaming the directory into place.
 */
public final class SummaryAssembler implements AutoCloseable {
  private final Cid id;
  private final byte[] root;
  private final SummaryManifest manifest;
  private final AtomicDirectory dir;
  private final SequencedSet<Cid> missing = new LinkedHashSet<>();

  private SummaryAssembler(Cid id, byte[] root, SummaryManifest manifest, AtomicDirectory dir) {
    this.id = id;
    this.root = root;
    this.manifest = manifest;
    this.dir = dir;
    missing.addAll(manifest.vocabulary().blocks());
    manifest.chunks().forEach(c -> missing.add(c.cid()));
  }

  /**
   * Checks the root block against {@code id} and parses it; {@code target} must not exist yet.
   *
   * @throws SummaryFormatException when the root does not hash to {@code id} or is no summary
   */
  public static SummaryAssembler open(Cid id, byte[] root, Path target) throws IOException {
    Cid got = SummaryChunkSource.rootCid(root);
    if (!got.equals(id)) {
      throw new SummaryFormatException(
          "root block of summary " + id + " hashes to " + got + " (truncated or corrupt)");
    }
    SummaryManifest manifest = SummaryManifest.parse(root, "summary " + id + " root block");
    if (Files.exists(target)) {
      throw new IllegalArgumentException(target + ": already exists (choose a new directory)");
    }
    return new SummaryAssembler(id, root.clone(), manifest, AtomicDirectory.create(target));
  }

  public SummaryManifest manifest() {
    return manifest;
  }

  /** Blocks not written yet, vocabulary first, then the sequence chunks in order. */
  public List<Cid> missing() {
    return new ArrayList<>(missing);
  }

  /** Writes a block; it must be one the summary lists, and its bytes must match its CID. */
  public void write(Cid cid, ByteBuffer data) throws IOException {
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    if (!missing.contains(cid)) {
      throw new SummaryFormatException(
          "block " + cid + " is not a missing block of summary " + id + " (unsolicited)");
    }
    if (!Arrays.equals(SummaryBlocks.cidOf(bytes).multihash().digest(), cid.multihash().digest())) {
      throw new SummaryFormatException(
          "block " + cid + " of summary " + id + ": content does not match its CID (corrupt)");
    }
    SummaryBlocks.write(dir.path(), cid, bytes);
    missing.remove(cid);
  }

  /** Writes summary.json, reads the summary back in full, and renames it into place. */
  public Path commit() throws IOException {
    if (!missing.isEmpty()) {
      throw new SummaryFormatException(
          "summary "
              + id
              + ": "
              + missing.size()
              + " blocks still missing, first "
              + missing.getFirst());
    }
    Files.write(dir.path().resolve(SummaryBlocks.ROOT), root);
    Summary check = Summary.open(dir.path());
    if (!check.id().equals(id)) {
      throw new SummaryFormatException(
          "summary " + id + " reads back as " + check.id() + " (not canonical)");
    }
    return dir.commit(false);
  }

  @Override
  public void close() throws IOException {
    dir.close();
  }
}
