package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /v1/summaries/hosted}: the summary directory and an optional name. */
public record AddSummaryRequest(
    @JsonProperty("path") String path, @JsonProperty("name") String name) {}
