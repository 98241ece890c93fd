package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A merge round as {@code amalgam rounds --json} shows it: the proposal, every peer's result with
 * its verification status, and this node's own part in it.
 *
 * @param status {@code verified} (two or more peers reproduced one output id), {@code disputed}
 *     (results disagree and no output id is reproduced by two peers, or two are), or {@code
 *     pending} (fewer than two results so far)
 */
public record RoundView(
    @JsonProperty("id") String id,
    @JsonProperty("proposer") String proposer,
    @JsonProperty("federation") String federation,
    @JsonProperty("recipe_sha256") String recipeSha256,
    @JsonProperty("inputs") List<String> inputs,
    @JsonProperty("dev_set_id") String devSetId,
    @JsonProperty("dev_set") String devSet,
    @JsonProperty("issued_at_ms") long issuedAtMillis,
    @JsonProperty("status") String status,
    @JsonProperty("verified_output") String verifiedOutput,
    @JsonProperty("results") List<Result> results,
    @JsonProperty("participation") Participation participation) {

  /**
   * One peer's result.
   *
   * @param status {@code verified}, {@code flagged} (with the reason) or {@code unconfirmed}
   */
  public record Result(
      @JsonProperty("peer") String peer,
      @JsonProperty("output_id") String outputId,
      @JsonProperty("scores") Map<String, Double> scores,
      @JsonProperty("status") String status,
      @JsonProperty("reason") String reason) {}

  /** What proposing a round returns: the round and how many peers the proposal went to. */
  public record Proposed(
      @JsonProperty("round") RoundView round, @JsonProperty("peers") int peers) {}

  /** This node's own part: running, done, skipped or failed, and the detail. */
  public record Participation(
      @JsonProperty("state") String state, @JsonProperty("detail") String detail) {}
}
