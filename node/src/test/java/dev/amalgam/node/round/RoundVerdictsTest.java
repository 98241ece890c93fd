package dev.amalgam.node.round;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.node.api.RoundView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundVerdictsTest {
  private static RoundVerdicts.Claim claim(String peer, String output) {
    return new RoundVerdicts.Claim(peer, output, Map.of("arithmetic", 0.5), null, true);
  }

  private static List<String> statuses(RoundVerdicts.Verdict v) {
    return v.results().stream().map(RoundView.Result::status).toList();
  }

  @Test
  void oneResultIsPendingAndUnconfirmed() {
    RoundVerdicts.Verdict v = RoundVerdicts.judge(List.of(claim("A", "x")));
    assertThat(v.status()).isEqualTo("pending");
    assertThat(v.verifiedOutput()).isNull();
    assertThat(statuses(v)).containsExactly("unconfirmed");
  }

  @Test
  void twoPeersWithTheSameOutputVerifyItAndTheOddOneIsFlagged() {
    RoundVerdicts.Verdict v =
        RoundVerdicts.judge(List.of(claim("A", "x"), claim("L", "y"), claim("B", "x")));
    assertThat(v.status()).isEqualTo("verified");
    assertThat(v.verifiedOutput()).isEqualTo("x");
    assertThat(statuses(v)).containsExactly("verified", "flagged", "verified");
    assertThat(v.results().get(1).reason())
        .isEqualTo("output id differs from the verified x reproduced by A, B");
  }

  @Test
  void twoPeersThatDisagreeAreBothFlaggedAndTheRoundIsDisputed() {
    RoundVerdicts.Verdict v = RoundVerdicts.judge(List.of(claim("A", "x"), claim("B", "y")));
    assertThat(v.status()).isEqualTo("disputed");
    assertThat(statuses(v)).containsExactly("flagged", "flagged");
    assertThat(v.results().get(0).reason()).isEqualTo("disagrees with y (B)");
  }

  @Test
  void aPeerThatContradictsItselfIsFlaggedAndDoesNotCountTowardsVerification() {
    RoundVerdicts.Claim twoFaced = new RoundVerdicts.Claim("T", "x", Map.of(), "y", true);
    RoundVerdicts.Verdict v = RoundVerdicts.judge(List.of(claim("A", "x"), twoFaced));
    assertThat(v.verifiedOutput()).isNull();
    assertThat(v.status()).isEqualTo("disputed");
    assertThat(statuses(v)).containsExactly("unconfirmed", "flagged");
    assertThat(v.results().get(1).reason()).contains("published two output ids");
  }

  @Test
  void aResultOnAnotherDevSetIsFlaggedAndDoesNotCount() {
    RoundVerdicts.Claim elsewhere = new RoundVerdicts.Claim("E", "x", Map.of(), null, false);
    RoundVerdicts.Verdict v = RoundVerdicts.judge(List.of(claim("A", "x"), elsewhere));
    assertThat(v.verifiedOutput()).isNull();
    assertThat(statuses(v)).containsExactly("unconfirmed", "flagged");
  }
}
