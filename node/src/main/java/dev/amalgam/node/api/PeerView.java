package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.amalgam.node.home.NodeStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A peer: connected now, or remembered from an earlier run; with its penalty, if any. */
public record PeerView(
    @JsonProperty("id") String id,
    @JsonProperty("addrs") List<String> addrs,
    @JsonProperty("connected") boolean connected,
    @JsonProperty("agent") String agent,
    @JsonProperty("last_seen_ms") long lastSeenMillis,
    @JsonProperty("penalty") @JsonInclude(JsonInclude.Include.NON_NULL) Penalty penalty) {

  /** Why and until when fetches leave this peer out. */
  public record Penalty(
      @JsonProperty("reason") String reason,
      @JsonProperty("count") long count,
      @JsonProperty("last_ms") long lastMillis,
      @JsonProperty("until_ms") long untilMillis) {}

  public PeerView(String id, List<String> addrs, boolean connected, String agent, long lastSeen) {
    this(id, addrs, connected, agent, lastSeen, null);
  }

  /**
   * {@code peers} with the penalties still in force attached; penalized peers not among them are
   * added (not connected, last seen when penalized).
   */
  public static List<PeerView> withPenalties(
      List<PeerView> peers, List<NodeStore.PeerPenalty> penalties, long penaltyMillis) {
    Map<String, Penalty> byPeer = new LinkedHashMap<>();
    for (NodeStore.PeerPenalty p : penalties) {
      byPeer.put(
          p.peerId(), new Penalty(p.reason(), p.count(), p.lastAt(), p.lastAt() + penaltyMillis));
    }
    List<PeerView> out = new ArrayList<>();
    for (PeerView v : peers) {
      Penalty p = byPeer.remove(v.id());
      out.add(
          p == null
              ? v
              : new PeerView(v.id(), v.addrs(), v.connected(), v.agent(), v.lastSeenMillis(), p));
    }
    byPeer.forEach((id, p) -> out.add(new PeerView(id, List.of(), false, null, p.lastMillis(), p)));
    return out;
  }
}
