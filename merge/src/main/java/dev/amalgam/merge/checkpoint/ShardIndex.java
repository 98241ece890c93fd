package dev.amalgam.merge.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** {@code model.safetensors.index.json}: which shard holds each tensor. */
public record ShardIndex(Map<String, String> weightMap) {
  public static final String FILE_NAME = "model.safetensors.index.json";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public static ShardIndex read(Path file) throws CheckpointException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CheckpointException(file + ": has no weight_map object");
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String shard = e.getValue().isTextual() ? e.getValue().textValue() : null;
      if (shard == null
          || shard.isEmpty()
          || shard.contains("/")
          || shard.contains("\\")
          || shard.startsWith(".")) {
        throw new CheckpointException(
            file
                + ": weight_map entry '"
                + e.getKey()
                + "' names an invalid shard "
                + e.getValue());
      }
      weightMap.put(e.getKey(), shard);
    }
    return new ShardIndex(Map.copyOf(weightMap));
  }

  public Set<String> shards() {
    return new LinkedHashSet<>(new java.util.TreeSet<>(weightMap.values()));
  }
}
