package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** What {@code amalgam node status} shows. */
public record StatusView(
    @JsonProperty("running") boolean running,
    @JsonProperty("peer_id") String peerId,
    @JsonProperty("home") String home,
    @JsonProperty("federation") String federation,
    @JsonProperty("topics") List<String> topics,
    @JsonProperty("bootstrap") List<String> bootstrap,
    @JsonProperty("listen") List<String> listen,
    @JsonProperty("api") String api,
    @JsonProperty("peers") List<PeerView> peers,
    @JsonProperty("hosted") List<HostedView> hosted,
    @JsonProperty("known_experts") int knownExperts,
    @JsonProperty("fetches") List<FetchJobView> fetches) {
  public StatusView {
    fetches = fetches == null ? List.of() : List.copyOf(fetches);
  }
}
