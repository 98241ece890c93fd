package dev.amalgam.merge.exchange;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.fingerprint.Manifest;
import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Serves an expert straight from its open checkpoint: each tensor chunk is a read-only view on the
 * memory-mapped safetensors file (nothing is copied, on disk or on the heap), side files are read
 * once (they are small), and the manifest itself is served under the expert id. The checkpoint must
 * stay open while the source is in use.
 */
public final class CheckpointChunkSource implements ChunkSource {
  private final Cid expertId;
  private final byte[] manifestBytes;
  private final Map<Cid, MemorySegment> chunks = new HashMap<>();

  private CheckpointChunkSource(Manifest manifest) {
    this.manifestBytes = manifest.canonicalBytes();
    this.expertId = manifest.id();
  }

  /**
   * Indexes {@code checkpoint}'s chunks by the CIDs in {@code manifest} (normally the checkpoint's
   * own fingerprint). Fails if the checkpoint lacks a listed tensor or side file, or differs in
   * dtype, shape or size.
   */
  public static CheckpointChunkSource of(Checkpoint checkpoint, Manifest manifest)
      throws CheckpointException {
    CheckpointChunkSource s = new CheckpointChunkSource(manifest);
    for (Manifest.TensorEntry t : manifest.tensors()) {
      Optional<TensorInfo> info = checkpoint.tensor(t.name());
      if (info.isEmpty()) {
        throw new CheckpointException(
            checkpoint.location() + ": tensor '" + t.name() + "' of the manifest is missing");
      }
      TensorInfo i = info.get();
      if (i.dtype() != t.dtype()
          || !java.util.Arrays.equals(i.shape(), t.shape())
          || i.byteLength() != t.size()) {
        throw new CheckpointException(
            checkpoint.location()
                + ": tensor '"
                + t.name()
                + "' is "
                + i
                + ", the manifest says "
                + t.dtype()
                + java.util.Arrays.toString(t.shape()));
      }
      s.index(t.chunks(), checkpoint.bytes(t.name()));
    }
    Map<String, Path> sideFiles = new HashMap<>();
    checkpoint.sideFiles().forEach(p -> sideFiles.put(p.getFileName().toString(), p));
    for (Manifest.FileEntry f : manifest.files()) {
      Path p = sideFiles.get(f.name());
      if (p == null) {
        throw new CheckpointException(
            checkpoint.location() + ": side file '" + f.name() + "' of the manifest is missing");
      }
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(p);
      } catch (IOException e) {
        throw new CheckpointException(p + ": cannot read: " + e.getMessage(), e);
      }
      if (bytes.length != f.size()) {
        throw new CheckpointException(
            p + ": is " + bytes.length + " bytes, the manifest says " + f.size());
      }
      s.index(f.chunks(), MemorySegment.ofArray(bytes));
    }
    return s;
  }

  private void index(java.util.List<Cid> cids, MemorySegment bytes) {
    for (int k = 0; k < cids.size(); k++) {
      long off = (long) k * Manifest.CHUNK_SIZE;
      long len = Math.min(Manifest.CHUNK_SIZE, bytes.byteSize() - off);
      chunks.putIfAbsent(cids.get(k), bytes.asSlice(off, len));
    }
  }

  public Cid expertId() {
    return expertId;
  }

  /** How many distinct blocks this source serves, the manifest included. */
  public int blockCount() {
    return chunks.size() + 1;
  }

  @Override
  public long size(Cid cid) {
    if (cid.equals(expertId)) {
      return manifestBytes.length;
    }
    MemorySegment s = chunks.get(cid);
    return s == null ? -1 : s.byteSize();
  }

  @Override
  public ByteBuffer get(Cid cid) {
    if (cid.equals(expertId)) {
      return ByteBuffer.wrap(manifestBytes).asReadOnlyBuffer();
    }
    MemorySegment s = chunks.get(cid);
    return s == null ? null : s.asByteBuffer().asReadOnlyBuffer();
  }
}
