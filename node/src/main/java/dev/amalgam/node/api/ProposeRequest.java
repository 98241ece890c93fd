package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code POST /v1/rounds}: the recipe text and the dev set to propose a merge round with. */
public record ProposeRequest(
    @JsonProperty("recipe") String recipe,
    @JsonProperty("split") String split,
    @JsonProperty("tasks") List<String> tasks,
    @JsonProperty("n") int n,
    @JsonProperty("seed") long seed,
    @JsonProperty("max_tokens") int maxTokens) {}
