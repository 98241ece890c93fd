package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.amalgam.bootstrap.card.ExpertCard;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.node.home.NodeStore.HostedExpert;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.util.List;
import java.util.Map;

/** One expert the federation offers, as the API and {@code amalgam experts --json} show it. */
public record ExpertView(
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("family") String family,
    @JsonProperty("tokenizer") String tokenizer,
    @JsonProperty("base") String base,
    @JsonProperty("peer") String peer,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("scores") Map<String, Double> scores,
    @JsonProperty("size_bytes") long sizeBytes,
    @JsonProperty("addrs") List<String> addrs,
    @JsonProperty("expires_at_ms") long expiresAtMillis,
    @JsonProperty("merged_from") List<String> mergedFrom,
    @JsonProperty("recipe_sha256") String recipeSha256) {

  public static ExpertView of(ExpertCard c) {
    return new ExpertView(
        c.expertId().toString(),
        c.name(),
        c.familyId().toString(),
        c.tokenizerId().map(Cid::toString).orElse(null),
        c.baseId().map(Cid::toString).orElse(null),
        c.peer().toString(),
        c.tags(),
        c.scores(),
        c.sizeBytes(),
        c.addrs().stream().map(Multiaddr::toString).toList(),
        c.expiresAtMillis(),
        c.mergedFrom().stream().map(Cid::toString).toList(),
        c.recipeSha256().orElse(null));
  }

  /** A hosted expert seen from its own node (no card needed). */
  public static ExpertView of(HostedExpert e, String peer) {
    return new ExpertView(
        e.expertId(),
        e.name(),
        e.familyId(),
        e.tokenizerId(),
        e.baseId(),
        peer,
        e.tags(),
        e.scores(),
        e.sizeBytes(),
        List.of(),
        0,
        e.mergedFrom(),
        e.recipeSha256());
  }
}
