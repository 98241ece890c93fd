package dev.amalgam.merge.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json}, loaded offline through DJL's binding of the Rust
 * tokenizers library. Encoding never adds special tokens, truncates or pads: callers build their
 * own prompts.
 */
public final class TextTokenizer implements AutoCloseable {

  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

  private final HuggingFaceTokenizer tokenizer;
  private final Map<String, Integer> vocabulary;
  private final int vocabularySize;
  private final TokenSurfaces.Style style;

  private TextTokenizer(
      HuggingFaceTokenizer tokenizer, Map<String, Integer> vocabulary, TokenSurfaces.Style style) {
    this.tokenizer = tokenizer;
    this.vocabulary = vocabulary;
    this.style = style;
    this.vocabularySize =
        vocabulary.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
  }

  /** Loads a {@code tokenizer.json} file, or the one inside a checkpoint directory. */
  public static TextTokenizer load(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": tokenizer file not found");
    }
    JsonNode json = readJson(file);
    Map<String, Integer> vocabulary = readVocabulary(file, json);
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(file, OPTIONS);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read tokenizer", e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": not a valid tokenizer: " + e.getMessage(), e);
    }
    return new TextTokenizer(tokenizer, vocabulary, TokenSurfaces.style(json));
  }

  private static JsonNode readJson(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  private static Map<String, Integer> readVocabulary(Path file, JsonNode json) {
    JsonNode vocab = json.path("model").path("vocab");
    Map<String, Integer> vocabulary = new HashMap<>();
    if (vocab.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        vocabulary.put(entry.getKey(), entry.getValue().asInt());
      }
    } else if (vocab.isArray()) {
      // Unigram models list [piece, score] pairs; the id is the index.
      for (int i = 0; i < vocab.size(); i++) {
        vocabulary.put(vocab.get(i).path(0).asText(), i);
      }
    } else {
      throw new IllegalArgumentException(file + ": field model.vocab missing");
    }
    for (JsonNode added : json.path("added_tokens")) {
      vocabulary.put(added.path("content").asText(), added.path("id").asInt());
    }
    return vocabulary;
  }

  public TokenizedText encode(String text) {
    Encoding encoding = tokenizer.encode(text, false, false);
    long[] rawIds = encoding.getIds();
    CharSpan[] spans = encoding.getCharTokenSpans();
    int[] ids = new int[rawIds.length];
    int[] starts = new int[rawIds.length];
    int[] ends = new int[rawIds.length];
    for (int i = 0; i < rawIds.length; i++) {
      ids[i] = Math.toIntExact(rawIds[i]);
      CharSpan span = spans[i];
      starts[i] = span == null ? -1 : span.getStart();
      ends[i] = span == null ? -1 : span.getEnd();
    }
    return new TokenizedText(ids, encoding.getTokens(), starts, ends);
  }

  public int[] encodeIds(String text) {
    return encode(text).ids();
  }

  /** The text of the ids, special tokens included. */
  public String decode(int[] ids) {
    return decode(ids, false);
  }

  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] longIds = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabularySize) {
        throw new IllegalArgumentException(
            "token id " + ids[i] + " at index " + i + " outside [0, " + vocabularySize + ")");
      }
      longIds[i] = ids[i];
    }
    return tokenizer.decode(longIds, skipSpecialTokens);
  }

  /** The id of a token string (vocabulary entry or added token), if it has one. */
  public OptionalInt idOf(String token) {
    Integer id = vocabulary.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The token string of every id (vocabulary and added tokens); null where an id is unused. */
  public String[] tokenStrings() {
    String[] tokens = new String[vocabularySize];
    for (Map.Entry<String, Integer> entry : vocabulary.entrySet()) {
      int id = entry.getValue();
      if (id >= 0 && (tokens[id] == null || entry.getKey().compareTo(tokens[id]) < 0)) {
        tokens[id] = entry.getKey();
      }
    }
    return tokens;
  }

  /** How this tokenizer writes text into token strings ({@link TokenSurfaces}). */
  public TokenSurfaces.Style surfaceStyle() {
    return style;
  }

  /** The byte surface of every id ({@link TokenSurfaces#surface}); null where an id is unused. */
  public String[] tokenSurfaces() {
    return TokenSurfaces.surfaces(tokenStrings(), style);
  }

  /** One more than the largest id, i.e. the embedding rows a model needs. */
  public int vocabularySize() {
    return vocabularySize;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
