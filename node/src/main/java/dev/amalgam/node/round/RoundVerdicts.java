package dev.amalgam.node.round;

import dev.amalgam.node.api.RoundView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides what the results of one round prove. An output id that two or more independent peers
 * (distinct signers) reported is verified; every result that names another output id is flagged
 * with the verified id and who reproduced it. Without a verified output, results that disagree are
 * all flagged. A peer that published two output ids for the same round is flagged whatever the
 * others say, and does not count towards verification; so is a result evaluated on another dev set
 * than the proposal's.
 */
final class RoundVerdicts {
  static final int REPRODUCTIONS_NEEDED = 2;

  private RoundVerdicts() {}

  /** A result as the verdict needs it. */
  record Claim(
      String peer,
      String outputId,
      Map<String, Double> scores,
      String otherOutputId,
      boolean sameDevSet) {}

  record Verdict(String status, String verifiedOutput, List<RoundView.Result> results) {}

  static Verdict judge(List<Claim> claims) {
    Map<String, List<String>> peersByOutput = new LinkedHashMap<>();
    for (Claim c : claims) {
      if (c.otherOutputId() == null && c.sameDevSet()) {
        peersByOutput.computeIfAbsent(c.outputId(), k -> new ArrayList<>()).add(c.peer());
      }
    }
    List<String> reproduced =
        peersByOutput.entrySet().stream()
            .filter(e -> e.getValue().size() >= REPRODUCTIONS_NEEDED)
            .map(Map.Entry::getKey)
            .toList();
    String verified = reproduced.size() == 1 ? reproduced.get(0) : null;
    List<RoundView.Result> out = new ArrayList<>();
    for (Claim c : claims) {
      out.add(resultOf(c, verified, reproduced, peersByOutput));
    }
    String status =
        verified != null
            ? "verified"
            : out.stream().anyMatch(r -> r.status().equals("flagged")) ? "disputed" : "pending";
    return new Verdict(status, verified, out);
  }

  private static RoundView.Result resultOf(
      Claim c, String verified, List<String> reproduced, Map<String, List<String>> peersByOutput) {
    if (c.otherOutputId() != null) {
      return flagged(
          c,
          "published two output ids for this round: " + c.outputId() + " and " + c.otherOutputId());
    }
    if (!c.sameDevSet()) {
      return flagged(c, "evaluated on another dev set than the proposal's");
    }
    if (verified != null) {
      if (verified.equals(c.outputId())) {
        return new RoundView.Result(c.peer(), c.outputId(), c.scores(), "verified", null);
      }
      return flagged(
          c,
          "output id differs from the verified "
              + verified
              + " reproduced by "
              + String.join(", ", peersByOutput.get(verified)));
    }
    if (reproduced.size() > 1) {
      return flagged(c, "several output ids were each reproduced by two or more peers");
    }
    if (peersByOutput.size() > 1) {
      List<String> others = new ArrayList<>();
      peersByOutput.forEach(
          (output, peers) -> {
            if (!output.equals(c.outputId())) {
              others.add(output + " (" + String.join(", ", peers) + ")");
            }
          });
      return flagged(c, "disagrees with " + String.join("; ", others));
    }
    return new RoundView.Result(c.peer(), c.outputId(), c.scores(), "unconfirmed", null);
  }

  private static RoundView.Result flagged(Claim c, String why) {
    return new RoundView.Result(c.peer(), c.outputId(), c.scores(), "flagged", why);
  }
}
