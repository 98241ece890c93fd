package dev.amalgam.merge.checkpoint;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Hugging Face checkpoint: a directory with config.json, one or more safetensors files (sharded
 * with {@code model.safetensors.index.json}) and tokenizer files, or a single safetensors file.
 * Tensors are memory-mapped; close the checkpoint to unmap them.
 */
public final class Checkpoint implements AutoCloseable {
  /** Files that carry the tokenizer (and chat template), copied together with it. */
  public static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "tokenizer.model",
          "vocab.json",
          "merges.txt",
          "added_tokens.json",
          "chat_template.jinja");

  /** Files that describe the model besides its tensors, in the order they are listed. */
  public static final List<String> SIDE_FILES =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of("config.json", "generation_config.json"),
              TOKENIZER_FILES.stream())
          .toList();

  private final Path location;
  private final Optional<HfConfig> config;
  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> fileOf;

  private Checkpoint(
      Path location,
      Optional<HfConfig> config,
      List<SafetensorsFile> files,
      Map<String, SafetensorsFile> fileOf) {
    this.location = location;
    this.config = config;
    this.files = files;
    this.fileOf = fileOf;
  }

  /** Opens a checkpoint directory or a single {@code .safetensors} file. */
  public static Checkpoint open(Path path) throws CheckpointException {
    if (Files.isRegularFile(path)) {
      SafetensorsFile file = SafetensorsFile.open(path);
      Map<String, SafetensorsFile> fileOf = new TreeMap<>();
      file.tensors().forEach(t -> fileOf.put(t.name(), file));
      return new Checkpoint(
          path, Optional.empty(), List.of(file), Collections.unmodifiableMap(fileOf));
    }
    if (!Files.isDirectory(path)) {
      throw new CheckpointException(path + ": no such checkpoint directory or safetensors file");
    }
    Optional<HfConfig> config =
        Files.exists(path.resolve("config.json"))
            ? Optional.of(HfConfig.read(path.resolve("config.json")))
            : Optional.empty();
    List<SafetensorsFile> opened = new ArrayList<>();
    try {
      Map<String, SafetensorsFile> fileOf = new TreeMap<>();
      Path indexFile = path.resolve(ShardIndex.FILE_NAME);
      if (Files.exists(indexFile)) {
        openSharded(indexFile, opened, fileOf);
      } else {
        openLoose(path, opened, fileOf);
      }
      return new Checkpoint(path, config, List.copyOf(opened), Collections.unmodifiableMap(fileOf));
    } catch (CheckpointException | RuntimeException e) {
      opened.forEach(SafetensorsFile::close);
      throw e;
    }
  }

  private static void openSharded(
      Path indexFile, List<SafetensorsFile> opened, Map<String, SafetensorsFile> fileOf)
      throws CheckpointException {
    ShardIndex index = ShardIndex.read(indexFile);
    Map<String, SafetensorsFile> byShard = new TreeMap<>();
    for (String shard : index.shards()) {
      Path shardPath = indexFile.resolveSibling(shard);
      if (!Files.exists(shardPath)) {
        throw new CheckpointException(
            indexFile
                + ": names shard '"
                + shard
                + "', which is missing from "
                + indexFile.getParent());
      }
      SafetensorsFile f = SafetensorsFile.open(shardPath);
      opened.add(f);
      byShard.put(shard, f);
    }
    for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
      SafetensorsFile f = byShard.get(e.getValue());
      if (!f.contains(e.getKey())) {
        throw new CheckpointException(
            indexFile
                + ": maps tensor '"
                + e.getKey()
                + "' to "
                + e.getValue()
                + ", which does not contain it");
      }
      fileOf.put(e.getKey(), f);
    }
  }

  private static void openLoose(
      Path dir, List<SafetensorsFile> opened, Map<String, SafetensorsFile> fileOf)
      throws CheckpointException {
    List<Path> shards;
    try (Stream<Path> s = Files.list(dir)) {
      shards = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    } catch (IOException e) {
      throw new CheckpointException(dir + ": cannot list: " + e.getMessage(), e);
    }
    if (shards.isEmpty()) {
      throw new CheckpointException(dir + ": contains no .safetensors file");
    }
    for (Path p : shards) {
      SafetensorsFile f = SafetensorsFile.open(p);
      opened.add(f);
      for (TensorInfo t : f.tensors()) {
        SafetensorsFile previous = fileOf.putIfAbsent(t.name(), f);
        if (previous != null) {
          throw new CheckpointException(
              p + ": tensor '" + t.name() + "' is also in " + previous.path().getFileName());
        }
      }
    }
  }

  /** The directory (or the single file) this checkpoint was opened from. */
  public Path location() {
    return location;
  }

  /** The directory holding config and tokenizer files. */
  public Path directory() {
    return Files.isDirectory(location) ? location : location.toAbsolutePath().getParent();
  }

  public Optional<HfConfig> config() {
    return config;
  }

  public List<SafetensorsFile> files() {
    return files;
  }

  /** All tensors, sorted by name. */
  public List<TensorInfo> tensors() {
    return fileOf.entrySet().stream().map(e -> e.getValue().info(e.getKey())).toList();
  }

  public List<String> tensorNames() {
    return List.copyOf(fileOf.keySet());
  }

  public boolean contains(String name) {
    return fileOf.containsKey(name);
  }

  public Optional<TensorInfo> tensor(String name) {
    SafetensorsFile f = fileOf.get(name);
    return f == null ? Optional.empty() : Optional.of(f.info(name));
  }

  public TensorInfo info(String name) {
    return fileOf(name).info(name);
  }

  /** The tensor's raw little-endian bytes, mapped from the file (no copy). */
  public MemorySegment bytes(String name) {
    return fileOf(name).bytes(name);
  }

  /** Where a tensor's bytes are: the file and the byte offset of its data in that file. */
  public SafetensorsFile fileOf(String name) {
    SafetensorsFile f = fileOf.get(name);
    if (f == null) {
      throw new IllegalArgumentException(location + ": no tensor named '" + name + "'");
    }
    return f;
  }

  /** The whole tensor as fp32. */
  public float[] readFloats(String name) {
    TensorInfo info = info(name);
    long n = info.elementCount();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          name
              + " has "
              + n
              + " elements; read it in blocks with readFloats(name, first, dst, off, len)");
    }
    float[] out = new float[(int) n];
    DTypeCodec.decode(info.dtype(), bytes(name), 0, out, 0, out.length);
    return out;
  }

  /** Elements {@code [first, first+count)} of the tensor as fp32 into {@code dst[offset..]}. */
  public void readFloats(String name, long first, float[] dst, int offset, int count) {
    TensorInfo info = info(name);
    if (first < 0 || count < 0 || first + count > info.elementCount()) {
      throw new IndexOutOfBoundsException(
          name
              + ": elements ["
              + first
              + ", "
              + (first + count)
              + ") outside "
              + info.elementCount());
    }
    DTypeCodec.decode(info.dtype(), bytes(name), first, dst, offset, count);
  }

  /** Side files (config, tokenizer) present in the checkpoint directory. */
  public List<Path> sideFiles() {
    Path dir = directory();
    if (!Files.isDirectory(location)) {
      return List.of();
    }
    return SIDE_FILES.stream().map(dir::resolve).filter(Files::isRegularFile).toList();
  }

  public Optional<Path> tokenizerJson() {
    Path p = directory().resolve("tokenizer.json");
    return Files.isDirectory(location) && Files.isRegularFile(p)
        ? Optional.of(p)
        : Optional.empty();
  }

  public long totalBytes() {
    return tensors().stream().mapToLong(TensorInfo::byteLength).sum();
  }

  public long parameterCount() {
    return tensors().stream().mapToLong(TensorInfo::elementCount).sum();
  }

  @Override
  public void close() {
    files.forEach(SafetensorsFile::close);
  }
}
