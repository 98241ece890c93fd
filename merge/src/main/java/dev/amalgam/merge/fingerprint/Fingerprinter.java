package dev.amalgam.merge.fingerprint;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/** Computes an expert's manifest, hashing its 1 MiB chunks in parallel from the mapped files. */
public final class Fingerprinter {
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(Multihash::newSha256);
  // The SHA-256 intrinsic works on heap arrays; MessageDigest feeds direct buffers to it in small
  // pieces, so one bulk copy of the chunk into a heap array is faster than hashing the mapping.
  private static final ThreadLocal<byte[]> CHUNK_BUFFER =
      ThreadLocal.withInitial(() -> new byte[Manifest.CHUNK_SIZE]);

  private final int threads;

  public Fingerprinter(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
  }

  public static Fingerprinter withAvailableCores() {
    return new Fingerprinter(Runtime.getRuntime().availableProcessors());
  }

  public Fingerprint fingerprint(Checkpoint checkpoint) throws CheckpointException {
    Manifest manifest = manifest(checkpoint);
    Optional<Cid> tokenizerId = Optional.empty();
    Optional<Path> tokenizer = checkpoint.tokenizerJson();
    if (tokenizer.isPresent()) {
      tokenizerId = Optional.of(TokenizerDescriptor.tokenizerId(tokenizer.get()));
    }
    return new Fingerprint(
        manifest, manifest.id(), FamilyDescriptor.familyId(checkpoint), tokenizerId);
  }

  public Manifest manifest(Checkpoint checkpoint) throws CheckpointException {
    List<Manifest.FileEntry> files = new ArrayList<>();
    for (Path p : checkpoint.sideFiles()) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(p);
      } catch (IOException e) {
        throw new CheckpointException(p + ": cannot read: " + e.getMessage(), e);
      }
      files.add(
          new Manifest.FileEntry(
              p.getFileName().toString(), bytes.length, chunkCids(MemorySegment.ofArray(bytes))));
    }
    List<TensorInfo> infos = checkpoint.tensors();
    List<Manifest.TensorEntry> tensors = new ArrayList<>();
    for (List<Cid> chunks : hashTensors(checkpoint, infos)) {
      TensorInfo t = infos.get(tensors.size());
      tensors.add(new Manifest.TensorEntry(t.name(), t.dtype(), t.shape(), t.byteLength(), chunks));
    }
    return new Manifest(files, tensors);
  }

  private List<List<Cid>> hashTensors(Checkpoint checkpoint, List<TensorInfo> infos) {
    // Flatten every tensor into its chunks so the pool balances work across tensor sizes.
    List<MemorySegment> chunks = new ArrayList<>();
    int[] firstChunk = new int[infos.size() + 1];
    for (int i = 0; i < infos.size(); i++) {
      firstChunk[i] = chunks.size();
      MemorySegment bytes = checkpoint.bytes(infos.get(i).name());
      for (long off = 0; off < bytes.byteSize(); off += Manifest.CHUNK_SIZE) {
        chunks.add(bytes.asSlice(off, Math.min(Manifest.CHUNK_SIZE, bytes.byteSize() - off)));
      }
    }
    firstChunk[infos.size()] = chunks.size();
    Cid[] cids = new Cid[chunks.size()];
    try (ForkJoinPool pool = new ForkJoinPool(threads)) {
      Future<?> done =
          pool.submit(
              () ->
                  IntStream.range(0, cids.length)
                      .parallel()
                      .forEach(i -> cids[i] = hash(chunks.get(i))));
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("fingerprinting interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("fingerprinting failed: " + e.getCause(), e.getCause());
    }
    List<List<Cid>> out = new ArrayList<>(infos.size());
    for (int i = 0; i < infos.size(); i++) {
      out.add(List.of(cids).subList(firstChunk[i], firstChunk[i + 1]));
    }
    return out;
  }

  private static List<Cid> chunkCids(MemorySegment bytes) {
    List<Cid> out = new ArrayList<>();
    for (long off = 0; off < bytes.byteSize(); off += Manifest.CHUNK_SIZE) {
      out.add(hash(bytes.asSlice(off, Math.min(Manifest.CHUNK_SIZE, bytes.byteSize() - off))));
    }
    return out;
  }

  /** CIDv1 (raw, sha2-256) of one chunk. */
  public static Cid hash(MemorySegment chunk) {
    MessageDigest sha = SHA256.get();
    sha.reset();
    byte[] buf = CHUNK_BUFFER.get();
    for (long off = 0; off < chunk.byteSize(); off += buf.length) {
      int n = (int) Math.min(buf.length, chunk.byteSize() - off);
      MemorySegment.copy(chunk, java.lang.foreign.ValueLayout.JAVA_BYTE, off, buf, 0, n);
      sha.update(buf, 0, n);
    }
    return Cid.rawFromSha256Digest(sha.digest());
  }
}
