package dev.amalgam.merge.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file, parsed and validated against the published format: an
 * 8-byte little-endian header length, a UTF-8 JSON object of tensors ({@code dtype}, {@code shape},
 * {@code data_offsets}) and an optional {@code __metadata__} string map, then a data region that
 * the tensors cover exactly, without holes or overlaps.
 */
public record SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
  /** Headers above this size are refused before any allocation (as the reference reader does). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** One tensor and where its bytes start, relative to the data region. */
  public record Entry(TensorInfo info, long dataOffset) {}

  /**
   * Checks the 8-byte prefix: returns the header length or throws naming the file.
   *
   * @param fileSize the whole file's size in bytes
   */
  public static long headerLength(String file, ByteBuffer prefix, long fileSize)
      throws CheckpointException {
    if (fileSize < 8) {
      throw new CheckpointException(
          file
              + ": truncated: "
              + fileSize
              + " byte(s), a safetensors file starts with an 8-byte header length");
    }
    long n = prefix.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
    if (n < 0 || n > MAX_HEADER_BYTES) {
      throw new CheckpointException(
          file
              + ": header length "
              + Long.toUnsignedString(n)
              + " exceeds the "
              + MAX_HEADER_BYTES
              + "-byte limit");
    }
    if (n > fileSize - 8) {
      throw new CheckpointException(
          file
              + ": header length "
              + n
              + " runs past the end of the file ("
              + fileSize
              + " bytes); the file is truncated or not safetensors");
    }
    if (n < 2) {
      throw new CheckpointException(
          file + ": header length " + n + " is too small for a JSON object");
    }
    return n;
  }

  /** Parses and validates the header; {@code dataSize} is the byte count after the header. */
  public static SafetensorsHeader parse(String file, byte[] headerBytes, long dataSize)
      throws CheckpointException {
    String text = decodeUtf8(file, headerBytes);
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(
          file + ": header is not valid JSON: " + e.getOriginalMessage() + locationOf(e));
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(file + ": header must be a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals("__metadata__")) {
        readMetadata(file, field.getValue(), metadata);
      } else {
        entries.add(readEntry(file, field.getKey(), field.getValue(), dataSize));
      }
    }
    checkCoverage(file, entries, dataSize);
    return new SafetensorsHeader(List.copyOf(entries), Map.copyOf(metadata));
  }

  private static String decodeUtf8(String file, byte[] bytes) throws CheckpointException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CheckpointException(file + ": header is not valid UTF-8");
    }
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (header byte " + e.getLocation().getCharOffset() + ")";
  }

  private static void readMetadata(String file, JsonNode node, Map<String, String> out)
      throws CheckpointException {
    if (!node.isObject()) {
      throw new CheckpointException(file + ": __metadata__ must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new CheckpointException(
            file + ": __metadata__ value for '" + e.getKey() + "' must be a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
  }

  private static Entry readEntry(String file, String name, JsonNode node, long dataSize)
      throws CheckpointException {
    String where = file + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new CheckpointException(
          where + " must be an object with dtype, shape and data_offsets");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new CheckpointException(where + " has no dtype string");
    }
    DType dtype;
    try {
      dtype = DType.valueOf(dtypeNode.textValue());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(where + " has unknown dtype '" + dtypeNode.textValue() + "'");
    }
    long[] shape = readShape(where, node.get("shape"));
    long[] offsets = readOffsets(where, node.get("data_offsets"));
    long byteLength = offsets[1] - offsets[0];
    long expected;
    try {
      expected = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new CheckpointException(where + " has a shape whose size overflows 64 bits");
    }
    if (expected != byteLength) {
      throw new CheckpointException(
          where
              + " has shape "
              + java.util.Arrays.toString(shape)
              + " of "
              + dtype
              + " = "
              + expected
              + " bytes, but data_offsets span "
              + byteLength
              + " bytes");
    }
    if (offsets[1] > dataSize) {
      throw new CheckpointException(
          where
              + " has data_offsets ["
              + offsets[0]
              + ", "
              + offsets[1]
              + "] beyond the data region of "
              + dataSize
              + " bytes (file truncated?)");
    }
    return new Entry(new TensorInfo(name, dtype, shape, byteLength), offsets[0]);
  }

  private static long[] readShape(String where, JsonNode node) throws CheckpointException {
    if (node == null || !node.isArray()) {
      throw new CheckpointException(where + " has no shape array");
    }
    long[] shape = new long[node.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = node.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw new CheckpointException(where + " has invalid shape dimension " + d);
      }
      shape[i] = d.longValue();
    }
    return shape;
  }

  private static long[] readOffsets(String where, JsonNode node) throws CheckpointException {
    if (node == null || !node.isArray() || node.size() != 2) {
      throw new CheckpointException(where + " must have data_offsets [begin, end]");
    }
    long[] o = new long[2];
    for (int i = 0; i < 2; i++) {
      JsonNode d = node.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw new CheckpointException(where + " has invalid data offset " + d);
      }
      o[i] = d.longValue();
    }
    if (o[1] < o[0]) {
      throw new CheckpointException(
          where + " has data_offsets [" + o[0] + ", " + o[1] + "] that end before they begin");
    }
    return o;
  }

  /** The tensors must tile the data region exactly: no overlap, no hole, nothing left over. */
  private static void checkCoverage(String file, List<Entry> entries, long dataSize)
      throws CheckpointException {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(
        Comparator.comparingLong(Entry::dataOffset).thenComparingLong(e -> e.info().byteLength()));
    long expected = 0;
    String previous = null;
    for (Entry e : sorted) {
      if (e.dataOffset() < expected) {
        throw new CheckpointException(
            file
                + ": tensor '"
                + e.info().name()
                + "' at offset "
                + e.dataOffset()
                + " overlaps tensor '"
                + previous
                + "' (which ends at "
                + expected
                + ")");
      }
      if (e.dataOffset() > expected) {
        throw new CheckpointException(
            file
                + ": bytes "
                + expected
                + ".."
                + e.dataOffset()
                + " of the data region belong to no tensor (a hole before '"
                + e.info().name()
                + "')");
      }
      expected = e.dataOffset() + e.info().byteLength();
      previous = e.info().name();
    }
    if (expected != dataSize) {
      throw new CheckpointException(
          file
              + ": the data region has "
              + (dataSize - expected)
              + " trailing byte(s) after the last tensor");
    }
  }
}
