package dev.amalgam.node.exchange;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.exchange.CheckpointChunkSource;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.fingerprint.Manifest;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.bitswap.BlockStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blocks a node serves over bitswap: the manifest (under the expert id) and the 1 MiB chunks of
 * every hosted expert, each a view on the expert's memory-mapped checkpoint (no copy). Experts are
 * served and unserved while the node runs.
 */
public final class HostedBlocks implements BlockStore, AutoCloseable {
  private record Served(Checkpoint checkpoint, CheckpointChunkSource source) {}

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
      Served s = new Served(ckpt, CheckpointChunkSource.of(ckpt, manifest));
      if (served.putIfAbsent(expertId, s) != null) {
        ckpt.close();
      }
    } catch (IOException | RuntimeException e) {
      ckpt.close();
      throw e;
    }
  }

  /** Stops serving an expert and unmaps its checkpoint; false when it was not served. */
  public boolean unserve(String expertId) {
    Served s = served.remove(expertId);
    if (s == null) {
      return false;
    }
    s.checkpoint().close();
    return true;
  }

  public boolean serves(String expertId) {
    return served.containsKey(expertId);
  }

  /** How many distinct blocks are served, manifests included. */
  public int blockCount() {
    return served.values().stream().mapToInt(s -> s.source().blockCount()).sum();
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
