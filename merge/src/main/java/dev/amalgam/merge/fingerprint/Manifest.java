package dev.amalgam.merge.fingerprint;

import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content identity of an expert: its side files and tensors, each cut into 1 MiB raw blocks
 * addressed by CIDv1 (raw, sha2-256). The expert id is the CID (codec json) of the canonical
 * encoding of this document. Layout in docs/formats.md.
 */
public record Manifest(List<FileEntry> files, List<TensorEntry> tensors) {
  public static final String FORMAT = "amalgam-manifest";
  public static final int VERSION = 1;
  public static final int CHUNK_SIZE = 1 << 20;

  /** Multicodec {@code json}: the manifest is plain (canonical) JSON. */
  public static final int JSON_CODEC = 0x0200;

  public record FileEntry(String name, long size, List<Cid> chunks) {}

  public record TensorEntry(String name, DType dtype, long[] shape, long size, List<Cid> chunks) {}

  public Manifest {
    files = files.stream().sorted((a, b) -> CanonicalJson.compareUtf8(a.name(), b.name())).toList();
    tensors =
        tensors.stream().sorted((a, b) -> CanonicalJson.compareUtf8(a.name(), b.name())).toList();
  }

  /** The canonical bytes whose hash is the expert id. */
  public byte[] canonicalBytes() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("version", (long) VERSION);
    doc.put("chunk_size", (long) CHUNK_SIZE);
    List<Object> fileList = new ArrayList<>();
    for (FileEntry f : files) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", f.name());
      m.put("size", f.size());
      m.put("chunks", f.chunks().stream().map(Cid::toString).toList());
      fileList.add(m);
    }
    doc.put("files", fileList);
    List<Object> tensorList = new ArrayList<>();
    for (TensorEntry t : tensors) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("dtype", t.dtype().name());
      m.put("shape", t.shape());
      m.put("size", t.size());
      m.put("chunks", t.chunks().stream().map(Cid::toString).toList());
      tensorList.add(m);
    }
    doc.put("tensors", tensorList);
    return CanonicalJson.encode(doc);
  }

  public Cid id() {
    return Cid.v1(JSON_CODEC, Multihash.sha256(canonicalBytes()));
  }

  public long chunkCount() {
    return files.stream().mapToLong(f -> f.chunks().size()).sum()
        + tensors.stream().mapToLong(t -> t.chunks().size()).sum();
  }

  public long totalBytes() {
    return files.stream().mapToLong(FileEntry::size).sum()
        + tensors.stream().mapToLong(TensorEntry::size).sum();
  }
}
