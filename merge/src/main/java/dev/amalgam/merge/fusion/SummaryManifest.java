package dev.amalgam.merge.fusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amalgam.merge.fingerprint.CanonicalJson;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The root of a distribution summary: which dataset and source model it describes, its settings,
 * and the CIDs of its blocks (the source vocabulary's surfaces and the sequence chunks). The
 * summary id is the CID (codec json, sha2-256) of this document's canonical encoding, written as
 * {@code summary.json}. Layout in docs/formats.md.
 *
 * @param dataset CID (raw, sha2-256) of the data file's bytes
 * @param sourceModel the source model's expert id (manifest CID)
 * @param sourceTokenizer the source tokenizer's id, or null if the source ships none
 * @param topK alternatives kept per response token
 * @param logprobScale quantization steps per nat of the stored log-probs
 * @param eosId the source's end-of-response id (the last response token of every sequence)
 * @param sequences number of sequences (one per data example, in file order)
 * @param responseTokens response tokens over all sequences
 * @param vocabulary the source vocabulary's byte surfaces
 * @param chunks the sequence chunks, in order
 */
public record SummaryManifest(
    Cid dataset,
    Cid sourceModel,
    Cid sourceTokenizer,
    int topK,
    int logprobScale,
    int eosId,
    long sequences,
    long responseTokens,
    VocabularyEntry vocabulary,
    List<ChunkEntry> chunks) {

  public static final String FORMAT = "amalgam-summary";
  public static final int VERSION = 1;
  public static final int JSON_CODEC = 0x0200;

  /** The source vocabulary: ids 0..size-1, stored in blocks of the given CIDs. */
  public record VocabularyEntry(int size, long bytes, List<Cid> blocks) {}

  /** One block holding sequences [first, first + count). */
  public record ChunkEntry(Cid cid, long first, long count, long bytes) {}

  public SummaryManifest {
    chunks = List.copyOf(chunks);
  }

  public byte[] canonicalBytes() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("version", (long) VERSION);
    doc.put("dataset", dataset.toString());
    doc.put("source_model", sourceModel.toString());
    if (sourceTokenizer != null) {
      doc.put("source_tokenizer", sourceTokenizer.toString());
    }
    doc.put("top_k", (long) topK);
    doc.put("logprob_scale", (long) logprobScale);
    doc.put("eos_id", (long) eosId);
    doc.put("sequences", sequences);
    doc.put("response_tokens", responseTokens);
    Map<String, Object> vocab = new LinkedHashMap<>();
    vocab.put("size", (long) vocabulary.size());
    vocab.put("bytes", vocabulary.bytes());
    vocab.put("blocks", vocabulary.blocks().stream().map(Cid::toString).toList());
    doc.put("vocabulary", vocab);
    List<Object> list = new ArrayList<>();
    for (ChunkEntry c : chunks) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cid", c.cid().toString());
      m.put("first", c.first());
      m.put("count", c.count());
      m.put("bytes", c.bytes());
      list.add(m);
    }
    doc.put("chunks", list);
    return CanonicalJson.encode(doc);
  }

  /** The summary id. */
  public Cid id() {
    return Cid.v1(JSON_CODEC, Multihash.sha256(canonicalBytes()));
  }

  /** Bytes of all blocks (vocabulary and chunks). */
  public long blockBytes() {
    return vocabulary.bytes() + chunkBytes();
  }

  public long chunkBytes() {
    return chunks.stream().mapToLong(ChunkEntry::bytes).sum();
  }

  /** Parses summary.json; {@code where} names the file in errors. */
  public static SummaryManifest parse(byte[] bytes, String where) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(bytes);
    } catch (IOException e) {
      throw new SummaryFormatException(
          where + ": not valid JSON (truncated or corrupt?): " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new SummaryFormatException(where + ": expected a JSON object");
    }
    String format = text(root, "format", where);
    if (!FORMAT.equals(format)) {
      throw new SummaryFormatException(
          where + ": field 'format' is '" + format + "', expected '" + FORMAT + "'");
    }
    long version = number(root, "version", where);
    if (version != VERSION) {
      throw new SummaryFormatException(
          where + ": version " + version + " is not supported (this build reads " + VERSION + ")");
    }
    JsonNode vocab = root.path("vocabulary");
    if (!vocab.isObject()) {
      throw new SummaryFormatException(where + ": field 'vocabulary' missing");
    }
    List<Cid> vocabBlocks = new ArrayList<>();
    for (JsonNode b : array(vocab, "blocks", where + ": vocabulary")) {
      vocabBlocks.add(cid(b.asText(), where + ": vocabulary.blocks"));
    }
    List<ChunkEntry> chunks = new ArrayList<>();
    long expectedFirst = 0;
    int index = 0;
    for (JsonNode c : array(root, "chunks", where)) {
      String at = where + ": chunks[" + index++ + "]";
      ChunkEntry entry =
          new ChunkEntry(
              cid(text(c, "cid", at), at + ".cid"),
              number(c, "first", at),
              number(c, "count", at),
              number(c, "bytes", at));
      if (entry.first() != expectedFirst || entry.count() <= 0) {
        throw new SummaryFormatException(
            at
                + ": covers sequences from "
                + entry.first()
                + " (count "
                + entry.count()
                + "), expected from "
                + expectedFirst);
      }
      expectedFirst += entry.count();
      chunks.add(entry);
    }
    long sequences = number(root, "sequences", where);
    if (expectedFirst != sequences) {
      throw new SummaryFormatException(
          where
              + ": chunks cover "
              + expectedFirst
              + " sequences, field 'sequences' says "
              + sequences);
    }
    int topK = (int) number(root, "top_k", where);
    int scale = (int) number(root, "logprob_scale", where);
    if (topK < 1 || scale < 1) {
      throw new SummaryFormatException(where + ": top_k and logprob_scale must be at least 1");
    }
    JsonNode tokenizer = root.get("source_tokenizer");
    return new SummaryManifest(
        cid(text(root, "dataset", where), where + ": dataset"),
        cid(text(root, "source_model", where), where + ": source_model"),
        tokenizer == null ? null : cid(tokenizer.asText(), where + ": source_tokenizer"),
        topK,
        scale,
        (int) number(root, "eos_id", where),
        sequences,
        number(root, "response_tokens", where),
        new VocabularyEntry(
            (int) number(vocab, "size", where + ": vocabulary"),
            number(vocab, "bytes", where + ": vocabulary"),
            vocabBlocks),
        chunks);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new SummaryFormatException(where + ": field '" + field + "' missing or not a string");
    }
    return value.asText();
  }

  private static long number(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isIntegralNumber() || value.asLong() < 0) {
      throw new SummaryFormatException(
          where + ": field '" + field + "' missing or not a non-negative integer");
    }
    return value.asLong();
  }

  private static JsonNode array(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw new SummaryFormatException(where + ": field '" + field + "' missing or not a list");
    }
    return value;
  }

  private static Cid cid(String text, String where) {
    try {
      return Cid.parse(text);
    } catch (RuntimeException e) {
      throw new SummaryFormatException(where + ": '" + text + "' is not a CID: " + e.getMessage());
    }
  }
}
