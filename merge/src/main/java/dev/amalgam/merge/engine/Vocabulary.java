package dev.amalgam.merge.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The id → token table of a {@code tokenizer.json}: the model vocabulary (a token → id object, or
 * Unigram's list of [token, score]) plus the added tokens. Ids without a token are {@code null}.
 */
final class Vocabulary {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final List<String> byId;
  private final Map<String, Integer> idOf;

  Vocabulary(List<String> byId) {
    this.byId = Collections.unmodifiableList(new ArrayList<>(byId));
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < byId.size(); i++) {
      if (byId.get(i) != null) {
        ids.putIfAbsent(byId.get(i), i);
      }
    }
    this.idOf = ids;
  }

  static Vocabulary read(Path tokenizerJson) throws IOException {
    JsonNode root = JSON.readTree(Files.readAllBytes(tokenizerJson));
    JsonNode vocab = root.path("model").path("vocab");
    Map<Integer, String> tokens = new HashMap<>();
    if (vocab.isObject()) {
      for (Map.Entry<String, JsonNode> e : vocab.properties()) {
        tokens.put(e.getValue().asInt(), e.getKey());
      }
    } else if (vocab.isArray()) {
      for (int i = 0; i < vocab.size(); i++) {
        tokens.put(i, vocab.get(i).path(0).asText());
      }
    } else {
      throw new IOException(tokenizerJson + ": model.vocab is neither an object nor a list");
    }
    for (JsonNode t : root.path("added_tokens")) {
      tokens.putIfAbsent(t.path("id").asInt(), t.path("content").asText());
    }
    int size = tokens.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    List<String> byId = new ArrayList<>(Collections.nCopies(size, (String) null));
    tokens.forEach(byId::set);
    return new Vocabulary(byId);
  }

  /** Number of ids (the highest id plus one). */
  int size() {
    return byId.size();
  }

  String token(int id) {
    return byId.get(id);
  }

  /** The id of a token, or -1. */
  int id(String token) {
    return idOf.getOrDefault(token, -1);
  }

  List<String> tokens() {
    return byId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && v.byId.equals(byId);
  }

  @Override
  public int hashCode() {
    return byId.hashCode();
  }
}
