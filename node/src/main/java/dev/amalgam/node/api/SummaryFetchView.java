package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.amalgam.node.exchange.SummaryFetch;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Body of {@code POST /v1/summaries/fetch}'s answer: how the fetch went. */
public record SummaryFetchView(
    @JsonProperty("id") String id,
    @JsonProperty("directory") String directory,
    @JsonProperty("blocks_fetched") long blocksFetched,
    @JsonProperty("bytes_fetched") long bytesFetched,
    @JsonProperty("bytes_by_peer") Map<String, Long> bytesByPeer,
    @JsonProperty("dropped") Map<String, String> dropped,
    @JsonProperty("skipped") List<String> skipped) {

  public static SummaryFetchView of(SummaryFetch.Result r) {
    return new SummaryFetchView(
        r.id(),
        r.directory().toString(),
        r.blocksFetched(),
        r.bytesFetched(),
        r.bytesByPeer(),
        r.dropped(),
        r.skipped());
  }

  public SummaryFetch.Result result() {
    return new SummaryFetch.Result(
        id,
        Path.of(directory),
        blocksFetched,
        bytesFetched,
        bytesByPeer,
        dropped,
        skipped == null ? List.of() : skipped);
  }
}
