package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /v1/fetch}: the expert id, the output directory, an optional filter, and
 * whether the fetch is sparse (see {@code ExpertFetch}).
 */
public record FetchRequest(
    @JsonProperty("id") String id,
    @JsonProperty("out") String out,
    @JsonProperty("tensors") String tensors,
    @JsonProperty("sparse") Boolean sparse) {}
