package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Body of {@code POST /v1/hosted}. */
public record AddExpertRequest(
    @JsonProperty("path") String path,
    @JsonProperty("name") String name,
    @JsonProperty("base") String base,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("scores") Map<String, Double> scores) {
  public AddExpertRequest {
    tags = tags == null ? List.of() : List.copyOf(tags);
    scores = scores == null ? Map.of() : Map.copyOf(scores);
  }
}
