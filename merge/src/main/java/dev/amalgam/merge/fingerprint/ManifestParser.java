package dev.amalgam.merge.fingerprint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.MultiformatException;
import dev.amalgam.multiformats.Multihash;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a manifest back from its canonical JSON (docs/formats.md) and checks it strictly: known
 * format and version, 1 MiB chunks, side files only from {@link Checkpoint#SIDE_FILES}, known
 * dtypes, sizes that match shapes and chunk counts, raw sha2-256 chunk CIDs, unique names, and
 * bytes that are exactly the canonical encoding (so the document has one id). Errors name the
 * field.
 */
public final class ManifestParser {
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();
  private static final Set<String> TOP_KEYS =
      Set.of("chunk_size", "files", "format", "tensors", "version");
  private static final Set<String> FILE_KEYS = Set.of("chunks", "name", "size");
  private static final Set<String> TENSOR_KEYS = Set.of("chunks", "dtype", "name", "shape", "size");

  private ManifestParser() {}

  /** Parses and checks that the document hashes to {@code expectedId}. */
  public static Manifest parse(byte[] bytes, Cid expectedId) throws ManifestException {
    Cid actual = Cid.v1(Manifest.JSON_CODEC, Multihash.sha256(bytes));
    if (!actual.equals(expectedId)) {
      throw new ManifestException(
          "manifest " + expectedId + ": the document hashes to " + actual + " instead");
    }
    return parse(bytes, expectedId.toString());
  }

  /** Parses a manifest; {@code source} names it in errors (a file name or an id). */
  public static Manifest parse(byte[] bytes, String source) throws ManifestException {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new ManifestException(
          "manifest "
              + source
              + ": not valid JSON at byte "
              + e.getLocation().getByteOffset()
              + ": "
              + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new ManifestException("manifest " + source + ": " + e.getMessage());
    }
    Where w = new Where(source);
    if (root == null || !root.isObject()) {
      throw w.error("", "must be a JSON object");
    }
    checkKeys(w, "", root, TOP_KEYS);
    String format = text(w, "format", root.get("format"));
    if (!format.equals(Manifest.FORMAT)) {
      throw w.error("format", "is '" + format + "', expected '" + Manifest.FORMAT + "'");
    }
    long version = integer(w, "version", root.get("version"));
    if (version != Manifest.VERSION) {
      throw w.error("version", "is " + version + "; this build reads version " + Manifest.VERSION);
    }
    long chunkSize = integer(w, "chunk_size", root.get("chunk_size"));
    if (chunkSize != Manifest.CHUNK_SIZE) {
      throw w.error("chunk_size", "is " + chunkSize + ", expected " + Manifest.CHUNK_SIZE);
    }
    List<Manifest.FileEntry> files = new ArrayList<>();
    Set<String> fileNames = new HashSet<>();
    JsonNode fileNodes = array(w, "files", root.get("files"));
    for (int i = 0; i < fileNodes.size(); i++) {
      String at = "files[" + i + "]";
      JsonNode f = fileNodes.get(i);
      checkKeys(w, at, f, FILE_KEYS);
      String name = text(w, at + ".name", f.get("name"));
      if (!Checkpoint.SIDE_FILES.contains(name)) {
        throw w.error(at + ".name", "'" + name + "' is not one of " + Checkpoint.SIDE_FILES);
      }
      if (!fileNames.add(name)) {
        throw w.error(at + ".name", "'" + name + "' is listed twice");
      }
      long size = nonNegative(w, at + ".size", f.get("size"));
      files.add(
          new Manifest.FileEntry(name, size, chunks(w, at + ".chunks", f.get("chunks"), size)));
    }
    List<Manifest.TensorEntry> tensors = new ArrayList<>();
    Set<String> tensorNames = new HashSet<>();
    JsonNode tensorNodes = array(w, "tensors", root.get("tensors"));
    for (int i = 0; i < tensorNodes.size(); i++) {
      String at = "tensors[" + i + "]";
      JsonNode t = tensorNodes.get(i);
      checkKeys(w, at, t, TENSOR_KEYS);
      String name = text(w, at + ".name", t.get("name"));
      if (name.isEmpty() || !tensorNames.add(name)) {
        throw w.error(at + ".name", name.isEmpty() ? "is empty" : "'" + name + "' is listed twice");
      }
      DType dtype = dtype(w, at + ".dtype", text(w, at + ".dtype", t.get("dtype")));
      JsonNode shapeNode = array(w, at + ".shape", t.get("shape"));
      long[] shape = new long[shapeNode.size()];
      long elements = 1;
      for (int d = 0; d < shape.length; d++) {
        shape[d] = nonNegative(w, at + ".shape[" + d + "]", shapeNode.get(d));
        try {
          elements = Math.multiplyExact(elements, shape[d]);
        } catch (ArithmeticException e) {
          throw w.error(at + ".shape", "has more elements than fit in 64 bits");
        }
      }
      long size = nonNegative(w, at + ".size", t.get("size"));
      long expected;
      try {
        expected = Math.multiplyExact(elements, dtype.byteSize());
      } catch (ArithmeticException e) {
        throw w.error(at + ".shape", "is too large");
      }
      if (size != expected) {
        throw w.error(
            at + ".size",
            "is " + size + " but shape and dtype " + dtype + " give " + expected + " bytes");
      }
      tensors.add(
          new Manifest.TensorEntry(
              name, dtype, shape, size, chunks(w, at + ".chunks", t.get("chunks"), size)));
    }
    Manifest manifest = new Manifest(files, tensors);
    byte[] canonical = manifest.canonicalBytes();
    if (!java.util.Arrays.equals(canonical, bytes)) {
      int diff = java.util.Arrays.mismatch(canonical, bytes);
      throw new ManifestException(
          "manifest "
              + source
              + ": not in canonical form (sorted keys and entries, no whitespace); first"
              + " difference at byte "
              + diff);
    }
    return manifest;
  }

  private record Where(String source) {
    ManifestException error(String field, String what) {
      return new ManifestException(
          "manifest " + source + (field.isEmpty() ? "" : ": " + field) + " " + what);
    }
  }

  private static void checkKeys(Where w, String at, JsonNode node, Set<String> allowed)
      throws ManifestException {
    if (node == null || !node.isObject()) {
      throw w.error(at, "must be an object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw w.error(at.isEmpty() ? k : at + "." + k, "is not a manifest field");
      }
    }
    for (String k : allowed) {
      if (!node.has(k)) {
        throw w.error(at.isEmpty() ? k : at + "." + k, "is missing");
      }
    }
  }

  private static String text(Where w, String at, JsonNode n) throws ManifestException {
    if (n == null || !n.isTextual()) {
      throw w.error(at, "must be a string");
    }
    return n.textValue();
  }

  private static long integer(Where w, String at, JsonNode n) throws ManifestException {
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw w.error(at, "must be an integer");
    }
    return n.longValue();
  }

  private static long nonNegative(Where w, String at, JsonNode n) throws ManifestException {
    long v = integer(w, at, n);
    if (v < 0) {
      throw w.error(at, "is negative (" + v + ")");
    }
    return v;
  }

  private static JsonNode array(Where w, String at, JsonNode n) throws ManifestException {
    if (n == null || !n.isArray()) {
      throw w.error(at, "must be an array");
    }
    return n;
  }

  private static DType dtype(Where w, String at, String name) throws ManifestException {
    for (DType d : DType.values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    throw w.error(at, "'" + name + "' is not a safetensors dtype");
  }

  private static List<Cid> chunks(Where w, String at, JsonNode n, long size)
      throws ManifestException {
    JsonNode arr = array(w, at, n);
    long expected = (size + Manifest.CHUNK_SIZE - 1) / Manifest.CHUNK_SIZE;
    if (arr.size() != expected) {
      throw w.error(at, "has " + arr.size() + " chunk(s), but " + size + " bytes need " + expected);
    }
    List<Cid> out = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      String text = text(w, at + "[" + i + "]", arr.get(i));
      Cid cid;
      try {
        cid = Cid.parse(text);
      } catch (MultiformatException e) {
        throw w.error(at + "[" + i + "]", "is not a CID: " + e.getMessage());
      }
      if (cid.version() != 1
          || cid.codec() != Cid.RAW
          || cid.multihash().code() != Multihash.SHA2_256
          || cid.multihash().digest().length != 32) {
        throw w.error(at + "[" + i + "]", cid + " is not a CIDv1 raw sha2-256 chunk id");
      }
      out.add(cid);
    }
    return out;
  }
}
