package dev.amalgam.merge.fingerprint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical vocabulary descriptor behind a tokenizer id: the model type, every vocabulary entry
 * as (id, token) in id order, and the added tokens with their special flag. Two tokenizers with the
 * same id map the same ids to the same strings.
 */
public final class TokenizerDescriptor {
  public static final String FORMAT = "amalgam-tokenizer";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private TokenizerDescriptor() {}

  public static Cid tokenizerId(Path tokenizerJson) throws CheckpointException {
    return Cid.v1(Manifest.JSON_CODEC, Multihash.sha256(canonicalBytes(tokenizerJson)));
  }

  public static byte[] canonicalBytes(Path tokenizerJson) throws CheckpointException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(tokenizerJson));
    } catch (JsonProcessingException e) {
      throw new CheckpointException(tokenizerJson + ": not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CheckpointException(tokenizerJson + ": cannot read: " + e.getMessage(), e);
    }
    JsonNode model = root == null ? null : root.get("model");
    if (model == null || !model.isObject()) {
      throw new CheckpointException(tokenizerJson + ": has no 'model' object");
    }
    TreeMap<Long, String> vocab = readVocab(tokenizerJson, model.get("vocab"));
    List<Object> added = new ArrayList<>();
    JsonNode addedTokens = root.get("added_tokens");
    if (addedTokens != null && addedTokens.isArray()) {
      for (JsonNode t : addedTokens) {
        if (!t.path("id").canConvertToLong() || !t.path("content").isTextual()) {
          throw new CheckpointException(
              tokenizerJson + ": added_tokens entry without integer id and string content: " + t);
        }
        added.add(
            List.of(
                t.get("id").longValue(),
                t.get("content").textValue(),
                t.path("special").asBoolean(false)));
        vocab.putIfAbsent(t.get("id").longValue(), t.get("content").textValue());
      }
    }
    List<Object> entries = new ArrayList<>();
    vocab.forEach((id, token) -> entries.add(List.of(id, token)));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("version", 1L);
    doc.put("model_type", model.path("type").asText("unknown"));
    doc.put("vocab", entries);
    doc.put("added_tokens", added);
    return CanonicalJson.encode(doc);
  }

  private static TreeMap<Long, String> readVocab(Path file, JsonNode vocab)
      throws CheckpointException {
    TreeMap<Long, String> out = new TreeMap<>();
    if (vocab == null) {
      throw new CheckpointException(file + ": model has no vocab");
    }
    if (vocab.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().canConvertToLong()) {
          throw new CheckpointException(
              file + ": vocab entry '" + e.getKey() + "' has no integer id");
        }
        out.put(e.getValue().longValue(), e.getKey());
      }
    } else if (vocab.isArray()) {
      long id = 0;
      for (JsonNode piece : vocab) {
        JsonNode token = piece.isArray() ? piece.get(0) : piece;
        if (token == null || !token.isTextual()) {
          throw new CheckpointException(
              file + ": vocab entry " + id + " is not a [token, score] pair");
        }
        out.put(id++, token.textValue());
      }
    } else {
      throw new CheckpointException(file + ": vocab must be an object or an array");
    }
    return out;
  }
}
