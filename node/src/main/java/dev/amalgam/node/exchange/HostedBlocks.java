package dev.amalgam.node.exchange;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.exchange.CheckpointChunkSource;
import dev.amalgam.merge.exchange.ChunkSource;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.fingerprint.Manifest;
import dev.amalgam.merge.fusion.SummaryChunkSource;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.bitswap.BlockStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blocks a node serves over bitswap: the manifest (under the expert id) and the 1 MiB chunks of
 * every hosted expert, each a view on the expert's memory-mapped checkpoint (no copy), and the root
 * (under the summary id) and blocks of every hosted summary, read from its directory. Experts and
 * summaries are served and unserved while the node runs.
 */
public final class HostedBlocks implements BlockStore, AutoCloseable {
  /** One expert or summary: its blocks, and what to release when it is unserved. */
  private record Served(AutoCloseable resource, ChunkSource source, int blockCount) {}

  private final Map<String, Served> served = new ConcurrentHashMap<>();

  /**
   * Maps the checkpoint at {@code path} and serves its blocks; fails if its fingerprint is not
   * {@code expertId} (the checkpoint changed since it was added).
   */
  public void serve(String expertId, Path path) throws IOException {
    if (served.containsKey(expertId)) {
      return;
    }
    Checkpoint ckpt = Checkpoint.open(path);
    try {
      Manifest manifest = Fingerprinter.withAvailableCores().manifest(ckpt);
      if (!manifest.id().toString().equals(expertId)) {
        throw new IOException(
            path
                + ": now has expert id "
                + manifest.id()
                + ", it was added as "
                + expertId
                + " (changed since 'expert add'; remove it and add it again)");
      }
      CheckpointChunkSource source = CheckpointChunkSource.of(ckpt, manifest);
      Served s = new Served(ckpt::close, source, source.blockCount());
      if (served.putIfAbsent(expertId, s) != null) {
        ckpt.close();
      }
    } catch (IOException | RuntimeException e) {
      ckpt.close();
      throw e;
    }
  }

  /**
   * Serves a summary directory's root and blocks; fails if its root no longer hashes to {@code
   * summaryId} or a block file is gone.
   */
  public void serveSummary(String summaryId, Path dir) throws IOException {
    if (served.containsKey(summaryId)) {
      return;
    }
    SummaryChunkSource source = SummaryChunkSource.open(dir);
    if (!source.id().toString().equals(summaryId)) {
      throw new IOException(
          dir
              + ": now has summary id "
              + source.id()
              + ", it was added as "
              + summaryId
              + " (changed since 'summary add'; remove it and add it again)");
    }
    served.putIfAbsent(summaryId, new Served(() -> {}, source, source.blockCount()));
  }

  /** Stops serving an expert (unmapping its checkpoint) or a summary; false when not served. */
  public boolean unserve(String id) {
    Served s = served.remove(id);
    if (s == null) {
      return false;
    }
    try {
      s.resource().close();
    } catch (Exception e) {
      // closing a mapped checkpoint does not fail; a summary holds nothing open
    }
    return true;
  }

  public boolean serves(String id) {
    return served.containsKey(id);
  }

  /** How many distinct blocks are served, manifests included. */
  public int blockCount() {
    return served.values().stream().mapToInt(Served::blockCount).sum();
  }

  @Override
  public long size(Cid cid) {
    for (Served s : served.values()) {
      long n = s.source().size(cid);
      if (n >= 0) {
        return n;
      }
    }
    return -1;
  }

  @Override
  public ByteBuffer get(Cid cid) throws IOException {
    for (Served s : served.values()) {
      try {
        ByteBuffer b = s.source().get(cid);
        if (b != null) {
          return b;
        }
      } catch (IllegalStateException e) {
        // unserved (and unmapped) while we looked: another expert may still hold the block
      }
    }
    return null;
  }

  @Override
  public void close() {
    for (String id : served.keySet()) {
      unserve(id);
    }
  }
}
