package dev.amalgam.merge.exchange;

import dev.amalgam.merge.checkpoint.AtomicDirectory;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.ShardIndex;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.fingerprint.Manifest;
import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.function.Predicate;

/**
 * Builds a Hugging Face directory from a manifest, chunk by chunk, in place. The files (safetensors
 * shards with their final headers, and the side files) are preallocated at their final sizes in a
 * work directory beside the target whose name derives from the expert id, so a restarted download
 * reopens the same files. Each chunk is written at its offset, from any thread, as it arrives;
 * {@link #commit} syncs and renames the directory into place once every chunk is there.
 *
 * <p>With a tensor filter, only the chosen tensors are laid out (a partial expert for a merge).
 * Headers, the shard index and the side files' places are final from the start, so the work
 * directory opens as a checkpoint whose tensors not yet written read as zeros.
 */
public final class ExpertAssembler implements AutoCloseable {
  /** Where one chunk goes: a file and an offset. */
  private record Slot(Cid cid, FileChannel file, long offset, int length) {}

  private final Manifest manifest;
  private final Path target;
  private final Path work;
  private final List<FileChannel> files = new ArrayList<>();
  private final java.util.Set<String> fileNames = new java.util.HashSet<>();
  private final List<Slot> slots = new ArrayList<>();
  private final Map<Cid, int[]> slotsByCid = new HashMap<>();
  private final Map<String, String> weightMap = new LinkedHashMap<>();
  private final BitSet written = new BitSet();
  private long tensorBytes;
  private boolean sharded;

  private ExpertAssembler(Manifest manifest, Path target) {
    this.manifest = manifest;
    this.target = target.toAbsolutePath().normalize();
    String id = manifest.id().toString();
    this.work =
        this.target.resolveSibling(
            "." + this.target.getFileName() + ".fetch-" + id.substring(id.length() - 16));
  }

  /** Lays out every tensor, in 5 GB shards. */
  public static ExpertAssembler open(Manifest manifest, Path target) throws IOException {
    return open(manifest, target, name -> true, CheckpointWriter.DEFAULT_SHARD_BYTES);
  }

  /**
   * Creates the work directory and its preallocated files, or reopens them when an earlier run left
   * them with the same layout (their content is kept; see {@link #recheck}).
   */
  public static ExpertAssembler open(
      Manifest manifest, Path target, Predicate<String> tensorFilter, long shardBytes)
      throws IOException {
    ExpertAssembler a = new ExpertAssembler(manifest, target);
    if (Files.exists(a.target)) {
      throw new CheckpointException(a.target + ": already exists (choose another output)");
    }
    try {
      a.layOut(tensorFilter, shardBytes);
    } catch (IOException | RuntimeException e) {
      a.close();
      throw e;
    }
    return a;
  }

  private void layOut(Predicate<String> tensorFilter, long shardBytes) throws IOException {
    Files.createDirectories(work);
    List<Manifest.TensorEntry> chosen =
        manifest.tensors().stream().filter(t -> tensorFilter.test(t.name())).toList();
    Map<String, Manifest.TensorEntry> byName = new HashMap<>();
    chosen.forEach(t -> byName.put(t.name(), t));
    List<TensorInfo> plan =
        chosen.stream().map(t -> new TensorInfo(t.name(), t.dtype(), t.shape(), t.size())).toList();
    List<List<TensorInfo>> groups = CheckpointWriter.shardGroups(plan, shardBytes);
    sharded = groups.size() > 1;
    for (int g = 0; g < groups.size(); g++) {
      String name = CheckpointWriter.shardFileName(g, groups.size());
      byte[] header = CheckpointWriter.headerFor(groups.get(g));
      byte[] prefix = new byte[8 + header.length];
      ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
      System.arraycopy(header, 0, prefix, 8, header.length);
      long data = groups.get(g).stream().mapToLong(TensorInfo::byteLength).sum();
      FileChannel ch = preallocate(name, prefix, prefix.length + data);
      long offset = prefix.length;
      for (TensorInfo t : groups.get(g)) {
        addSlots(byName.get(t.name()).chunks(), ch, offset, t.byteLength());
        weightMap.put(t.name(), name);
        offset += t.byteLength();
        tensorBytes += t.byteLength();
      }
    }
    for (Manifest.FileEntry f : manifest.files()) {
      addSlots(f.chunks(), preallocate(f.name(), new byte[0], f.size()), 0, f.size());
    }
    if (sharded) {
      // written now, so the work directory opens as a checkpoint before it is complete
      Files.write(
          work.resolve(ShardIndex.FILE_NAME), CheckpointWriter.indexJson(weightMap, tensorBytes));
      fileNames.add(ShardIndex.FILE_NAME);
    }
    removeStrayFiles();
  }

  /** Drops files an earlier run with another layout (another filter) left in the work directory. */
  private void removeStrayFiles() throws IOException {
    try (var listing = Files.list(work)) {
      for (Path p : listing.toList()) {
        if (!fileNames.contains(p.getFileName().toString())) {
          AtomicDirectory.deleteTree(p);
        }
      }
    }
  }

  /** Opens (or creates) a file of exactly {@code size} bytes that starts with {@code prefix}. */
  private FileChannel preallocate(String name, byte[] prefix, long size) throws IOException {
    Path p = work.resolve(name);
    FileChannel ch =
        FileChannel.open(
            p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    files.add(ch);
    fileNames.add(name);
    boolean reusable = ch.size() == size && startsWith(ch, prefix);
    if (!reusable) {
      ch.truncate(0);
      write(ch, ByteBuffer.wrap(prefix), 0);
      if (size > prefix.length) {
        write(ch, ByteBuffer.allocate(1), size - 1); // sparse: chunks land in any order
      }
    }
    return ch;
  }

  private static boolean startsWith(FileChannel ch, byte[] prefix) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(prefix.length);
    while (b.hasRemaining() && ch.read(b, b.position()) > 0) {}
    return !b.hasRemaining() && Arrays.equals(b.array(), prefix);
  }

  private void addSlots(List<Cid> cids, FileChannel ch, long base, long size) {
    for (int k = 0; k < cids.size(); k++) {
      long off = (long) k * Manifest.CHUNK_SIZE;
      int len = (int) Math.min(Manifest.CHUNK_SIZE, size - off);
      int index = slots.size();
      slots.add(new Slot(cids.get(k), ch, base + off, len));
      slotsByCid.merge(
          cids.get(k),
          new int[] {index},
          (a, b) -> {
            int[] both = Arrays.copyOf(a, a.length + 1);
            both[a.length] = b[0];
            return both;
          });
    }
  }

  public Manifest manifest() {
    return manifest;
  }

  /** The directory being filled (renamed to the target by {@link #commit}). */
  public Path workDirectory() {
    return work;
  }

  /** Every distinct chunk CID of the chosen tensors and side files, in manifest order. */
  public SequencedSet<Cid> chunks() {
    SequencedSet<Cid> out = new LinkedHashSet<>();
    slots.forEach(s -> out.add(s.cid()));
    return out;
  }

  /** The chunks not yet written, in manifest order. */
  public synchronized SequencedSet<Cid> missingChunks() {
    SequencedSet<Cid> out = new LinkedHashSet<>();
    for (int i = written.nextClearBit(0); i < slots.size(); i = written.nextClearBit(i + 1)) {
      out.add(slots.get(i).cid());
    }
    return out;
  }

  /** Total bytes of the chosen tensors and side files. */
  public long totalBytes() {
    return tensorBytes + manifest.files().stream().mapToLong(Manifest.FileEntry::size).sum();
  }

  /**
   * Writes a chunk (already verified against its CID) wherever the manifest places it. Thread-safe;
   * writing a chunk again is harmless.
   */
  public void write(Cid cid, ByteBuffer data) throws IOException {
    int[] where = slotsByCid.get(cid);
    if (where == null) {
      throw new IllegalArgumentException("chunk " + cid + " is not part of this download");
    }
    for (int i : where) {
      Slot s = slots.get(i);
      if (data.remaining() != s.length()) {
        throw new IllegalArgumentException(
            "chunk " + cid + " is " + data.remaining() + " bytes, the manifest says " + s.length());
      }
      write(s.file(), data.duplicate(), s.offset());
    }
    synchronized (this) {
      for (int i : where) {
        written.set(i);
      }
    }
  }

  /** Records chunks a previous run wrote and verified (e.g. from the node's progress database). */
  public synchronized void markWritten(Iterable<Cid> cids) {
    for (Cid c : cids) {
      int[] where = slotsByCid.get(c);
      if (where != null) {
        for (int i : where) {
          written.set(i);
        }
      }
    }
  }

  /**
   * Hashes every chunk region on disk and marks those that already hold their chunk: resuming
   * without any record of progress. Returns how many distinct chunks were found.
   */
  public int recheck() throws IOException {
    SequencedSet<Cid> found = new LinkedHashSet<>();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(Manifest.CHUNK_SIZE);
      for (Slot s : slots) {
        ByteBuffer b = buf.asSlice(0, s.length()).asByteBuffer();
        while (b.hasRemaining() && s.file().read(b, s.offset() + b.position()) > 0) {}
        if (!b.hasRemaining() && Fingerprinter.hash(buf.asSlice(0, s.length())).equals(s.cid())) {
          found.add(s.cid());
        }
      }
    }
    synchronized (this) {
      written.clear();
    }
    markWritten(found);
    return found.size();
  }

  /**
   * Checks that every chunk was written, writes the shard index if there are several shards, syncs
   * every file and renames the directory to the target.
   */
  public Path commit() throws IOException {
    SequencedSet<Cid> missing = missingChunks();
    if (!missing.isEmpty()) {
      throw new CheckpointException(
          work + ": " + missing.size() + " chunk(s) still missing, first " + missing.getFirst());
    }
    for (FileChannel ch : files) {
      ch.force(true);
      ch.close();
    }
    AtomicDirectory.syncTree(work);
    try {
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(work, target);
    }
    AtomicDirectory.syncDirectory(target.getParent());
    return target;
  }

  /** Deletes the work directory (giving up the download). */
  public void abandon() throws IOException {
    close();
    AtomicDirectory.deleteTree(work);
  }

  /** Closes the files; the work directory stays for a later resume. */
  @Override
  public void close() throws IOException {
    for (FileChannel ch : files) {
      if (ch.isOpen()) {
        ch.close();
      }
    }
  }

  private static void write(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }
}
