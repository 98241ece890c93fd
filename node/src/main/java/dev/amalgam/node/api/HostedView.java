package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.amalgam.node.home.NodeStore.HostedExpert;
import java.util.List;
import java.util.Map;

/** An expert this node hosts, as {@code amalgam expert list --json} shows it. */
public record HostedView(
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("path") String path,
    @JsonProperty("family") String family,
    @JsonProperty("tokenizer") String tokenizer,
    @JsonProperty("base") String base,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("scores") Map<String, Double> scores,
    @JsonProperty("size_bytes") long sizeBytes,
    @JsonProperty("merged_from") List<String> mergedFrom,
    @JsonProperty("recipe_sha256") String recipeSha256) {

  public static HostedView of(HostedExpert e) {
    return new HostedView(
        e.expertId(),
        e.name(),
        e.path().toString(),
        e.familyId(),
        e.tokenizerId(),
        e.baseId(),
        e.tags(),
        e.scores(),
        e.sizeBytes(),
        e.mergedFrom(),
        e.recipeSha256());
  }
}
