package dev.amalgam.merge.checkpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One memory-mapped safetensors file. The data region is mapped once through FFM (no 2 GiB limit);
 * tensor bytes are zero-copy slices of it, valid until {@link #close()}.
 */
public final class SafetensorsFile implements AutoCloseable {
  private final Path path;
  private final Arena arena;
  private final MemorySegment data;
  private final long dataStart;
  private final Map<String, SafetensorsHeader.Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path, Arena arena, MemorySegment data, long dataStart, SafetensorsHeader header) {
    this.path = path;
    this.arena = arena;
    this.data = data;
    this.dataStart = dataStart;
    Map<String, SafetensorsHeader.Entry> byName = new LinkedHashMap<>();
    for (SafetensorsHeader.Entry e : header.entries()) {
      byName.put(e.info().name(), e);
    }
    this.entries = byName;
    this.metadata = header.metadata();
  }

  public static SafetensorsFile open(Path path) throws CheckpointException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer prefix = ByteBuffer.allocate(8);
      readFully(ch, prefix, 0);
      long headerLength = SafetensorsHeader.headerLength(path.toString(), prefix, size);
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
      readFully(ch, headerBytes, 8);
      long dataStart = 8 + headerLength;
      SafetensorsHeader header =
          SafetensorsHeader.parse(path.toString(), headerBytes.array(), size - dataStart);
      Arena arena = Arena.ofShared();
      try {
        MemorySegment data =
            size == dataStart
                ? MemorySegment.ofArray(new byte[0])
                : ch.map(FileChannel.MapMode.READ_ONLY, dataStart, size - dataStart, arena);
        return new SafetensorsFile(path, arena, data, dataStart, header);
      } catch (IOException | RuntimeException e) {
        arena.close();
        throw e;
      }
    } catch (NoSuchFileException e) {
      throw new CheckpointException(path + ": no such file");
    } catch (CheckpointException e) {
      throw e;
    } catch (IOException e) {
      throw new CheckpointException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        break;
      }
      pos += n;
    }
    buf.flip();
  }

  public Path path() {
    return path;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** Tensors in header order. */
  public List<TensorInfo> tensors() {
    return entries.values().stream().map(SafetensorsHeader.Entry::info).toList();
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  public TensorInfo info(String name) {
    SafetensorsHeader.Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
    }
    return e.info();
  }

  /** The tensor's raw little-endian bytes, mapped (no copy). */
  public MemorySegment bytes(String name) {
    SafetensorsHeader.Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
    }
    return data.asSlice(e.dataOffset(), e.info().byteLength());
  }

  /** Byte offset of the tensor's data from the start of the file. */
  public long fileOffset(String name) {
    return dataStart + entries.get(name).dataOffset();
  }

  @Override
  public void close() {
    arena.close();
  }
}
