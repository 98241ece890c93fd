package dev.amalgam.merge.checkpoint;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a Hugging Face checkpoint directory. The tensor list is fixed up front, so every shard's
 * header and every tensor's file offset are known before any data is written: tensors can then be
 * written one at a time, in any order and from several threads, straight into preallocated shard
 * files, with memory bounded by one tensor. {@link #commit} syncs everything and renames the
 * directory into place; closing without committing removes it.
 */
public final class CheckpointWriter implements AutoCloseable {
  public static final long DEFAULT_SHARD_BYTES = 5_000_000_000L;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final AtomicDirectory dir;
  private final Map<String, Slot> slots = new HashMap<>();
  private final List<Shard> shards = new ArrayList<>();
  private final Set<String> written = ConcurrentHashMap.newKeySet();

  private record Shard(
      String fileName, FileChannel channel, long dataStart, List<TensorInfo> tensors) {}

  private record Slot(Shard shard, TensorInfo info, long fileOffset) {}

  private CheckpointWriter(AtomicDirectory dir) {
    this.dir = dir;
  }

  /**
   * Lays out {@code plan} (in order) into shards of at most {@code shardBytes} data bytes (a tensor
   * larger than the budget gets a shard of its own), creates and preallocates the files.
   */
  public static CheckpointWriter create(Path target, List<TensorInfo> plan, long shardBytes)
      throws IOException {
    List<List<TensorInfo>> groups = shardGroups(plan, shardBytes);
    CheckpointWriter writer = new CheckpointWriter(AtomicDirectory.create(target));
    try {
      for (int i = 0; i < groups.size(); i++) {
        writer.addShard(shardFileName(i, groups.size()), groups.get(i));
      }
    } catch (IOException | RuntimeException e) {
      writer.close();
      throw e;
    }
    return writer;
  }

  /**
   * Cuts {@code plan} (in order) into shards of at most {@code shardBytes} data bytes; a tensor
   * larger than the budget gets a shard of its own.
   */
  public static List<List<TensorInfo>> shardGroups(List<TensorInfo> plan, long shardBytes) {
    if (shardBytes <= 0) {
      throw new IllegalArgumentException("shard size must be positive, got " + shardBytes);
    }
    List<List<TensorInfo>> groups = new ArrayList<>();
    List<TensorInfo> current = new ArrayList<>();
    long size = 0;
    Set<String> names = new java.util.HashSet<>();
    for (TensorInfo t : plan) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("tensor '" + t.name() + "' is planned twice");
      }
      if (!current.isEmpty() && size + t.byteLength() > shardBytes) {
        groups.add(current);
        current = new ArrayList<>();
        size = 0;
      }
      current.add(t);
      size += t.byteLength();
    }
    groups.add(current);
    return groups;
  }

  /** {@code model.safetensors} alone, else {@code model-0000N-of-0000M.safetensors}. */
  public static String shardFileName(int index, int count) {
    return count == 1
        ? "model.safetensors"
        : String.format("model-%05d-of-%05d.safetensors", index + 1, count);
  }

  private void addShard(String fileName, List<TensorInfo> tensors) throws IOException {
    byte[] header = headerFor(tensors);
    long dataBytes = tensors.stream().mapToLong(TensorInfo::byteLength).sum();
    FileChannel ch =
        FileChannel.open(
            dir.path().resolve(fileName),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    ByteBuffer prefix =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
    writeFully(ch, prefix, 0);
    writeFully(ch, ByteBuffer.wrap(header), 8);
    long dataStart = 8L + header.length;
    if (dataBytes > 0) {
      // Preallocate: a sparse file of the final size, so positional writes can land in any order.
      writeFully(ch, ByteBuffer.allocate(1), dataStart + dataBytes - 1);
    }
    Shard shard = new Shard(fileName, ch, dataStart, List.copyOf(tensors));
    shards.add(shard);
    long offset = dataStart;
    for (TensorInfo t : tensors) {
      slots.put(t.name(), new Slot(shard, t, offset));
      offset += t.byteLength();
    }
  }

  /** The safetensors header, space-padded to a multiple of 8 bytes as Hugging Face writes it. */
  public static byte[] headerFor(List<TensorInfo> tensors) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (TensorInfo t : tensors) {
      ObjectNode o = root.putObject(t.name());
      o.put("dtype", t.dtype().name());
      ArrayNode shape = o.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      o.putArray("data_offsets").add(offset).add(offset + t.byteLength());
      offset += t.byteLength();
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = new byte[padded];
    System.arraycopy(json, 0, out, 0, json.length);
    java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  public Path directory() {
    return dir.path();
  }

  public TensorInfo planned(String name) {
    return slot(name).info();
  }

  /** Writes a tensor's raw little-endian bytes (exactly its byte length). Thread-safe. */
  public void write(String name, MemorySegment bytes) throws IOException {
    Slot slot = slot(name);
    if (bytes.byteSize() != slot.info().byteLength()) {
      throw new IllegalArgumentException(
          name + ": got " + bytes.byteSize() + " bytes, planned " + slot.info().byteLength());
    }
    markWritten(name);
    long done = 0;
    long total = bytes.byteSize();
    while (done < total) {
      long n = Math.min(total - done, 1 << 26);
      writeFully(
          slot.shard().channel(), bytes.asSlice(done, n).asByteBuffer(), slot.fileOffset() + done);
      done += n;
    }
  }

  /**
   * Starts writing a tensor in consecutive pieces, so a producer can stream it through a small
   * buffer instead of holding all of its bytes. Thread-safe across tensors; one piecewise writer is
   * used by one thread.
   */
  public Pieces pieces(String name) {
    Slot slot = slot(name);
    markWritten(name);
    return new Pieces(slot);
  }

  /** The pieces of one tensor, written in order; {@link #finish} checks they covered it. */
  public static final class Pieces {
    private final Slot slot;
    private long done;

    private Pieces(Slot slot) {
      this.slot = slot;
    }

    /** Appends the next bytes of the tensor. */
    public void write(MemorySegment bytes) throws IOException {
      if (done + bytes.byteSize() > slot.info().byteLength()) {
        throw new IllegalArgumentException(
            slot.info().name()
                + ": pieces exceed the planned "
                + slot.info().byteLength()
                + " bytes");
      }
      writeFully(slot.shard().channel(), bytes.asByteBuffer(), slot.fileOffset() + done);
      done += bytes.byteSize();
    }

    /** Checks that exactly the planned number of bytes was written. */
    public void finish() {
      if (done != slot.info().byteLength()) {
        throw new IllegalStateException(
            slot.info().name() + ": wrote " + done + " bytes, planned " + slot.info().byteLength());
      }
    }
  }

  /** Encodes fp32 values as the planned dtype and writes them. Thread-safe. */
  public void writeFloats(String name, float[] values) throws IOException {
    Slot slot = slot(name);
    if (values.length != slot.info().elementCount()) {
      throw new IllegalArgumentException(
          name + ": got " + values.length + " values, planned " + slot.info().elementCount());
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(slot.info().byteLength(), 8);
      DTypeCodec.encode(slot.info().dtype(), values, 0, values.length, buf, 0);
      write(name, buf);
    }
  }

  private void markWritten(String name) {
    if (!written.add(name)) {
      throw new IllegalStateException("tensor '" + name + "' was written twice");
    }
  }

  private Slot slot(String name) {
    Slot s = slots.get(name);
    if (s == null) {
      throw new IllegalArgumentException("tensor '" + name + "' is not in the output plan");
    }
    return s;
  }

  /** Adds a side file (config, tokenizer, provenance) with the given content. */
  public void writeFile(String fileName, byte[] content) throws IOException {
    Files.write(dir.path().resolve(fileName), content, StandardOpenOption.CREATE_NEW);
  }

  public void copyFile(Path source, String fileName) throws IOException {
    Files.copy(source, dir.path().resolve(fileName), StandardCopyOption.COPY_ATTRIBUTES);
  }

  /** Checks every planned tensor was written, writes the index, syncs and renames into place. */
  public Path commit(boolean replaceExisting) throws IOException {
    for (String name : slots.keySet()) {
      if (!written.contains(name)) {
        throw new IllegalStateException("tensor '" + name + "' was planned but never written");
      }
    }
    if (shards.size() > 1) {
      writeFile(ShardIndex.FILE_NAME, indexJson());
    }
    for (Shard s : shards) {
      s.channel().force(true);
      s.channel().close();
    }
    return dir.commit(replaceExisting);
  }

  private byte[] indexJson() {
    long total = slots.values().stream().mapToLong(s -> s.info().byteLength()).sum();
    Map<String, String> map = new LinkedHashMap<>();
    shards.forEach(s -> s.tensors().forEach(t -> map.put(t.name(), s.fileName())));
    return indexJson(map, total);
  }

  /** {@code model.safetensors.index.json}: total data size and the sorted tensor → shard map. */
  public static byte[] indexJson(Map<String, String> weightMap, long totalSize) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("metadata").put("total_size", totalSize);
    ObjectNode wm = root.putObject("weight_map");
    weightMap.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> wm.put(e.getKey(), e.getValue()));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }

  @Override
  public void close() throws IOException {
    for (Shard s : shards) {
      if (s.channel().isOpen()) {
        s.channel().close();
      }
    }
    dir.close();
  }
}
