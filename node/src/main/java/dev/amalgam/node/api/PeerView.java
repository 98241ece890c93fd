package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A peer: connected now, or remembered from an earlier run. */
public record PeerView(
    @JsonProperty("id") String id,
    @JsonProperty("addrs") List<String> addrs,
    @JsonProperty("connected") boolean connected,
    @JsonProperty("agent") String agent,
    @JsonProperty("last_seen_ms") long lastSeenMillis) {}
