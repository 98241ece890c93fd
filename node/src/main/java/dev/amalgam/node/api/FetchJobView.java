package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A fetch running in the daemon, as {@code node status} lists it. */
public record FetchJobView(
    @JsonProperty("id") String id,
    @JsonProperty("out") String out,
    @JsonProperty("tensors") String tensors,
    @JsonProperty("sparse") boolean sparse,
    @JsonProperty("started_ms") long startedMillis,
    @JsonProperty("chunks") long chunks,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("chunks_done") long chunksDone,
    @JsonProperty("bytes_done") long bytesDone,
    @JsonProperty("peers") int peers,
    @JsonProperty("clients") int clients) {}
