package dev.amalgam.merge.fusion;

/**
 * The result of aligning a source token sequence with a target token sequence of the same text.
 *
 * @param sourceOfTarget for each target position, the source position it aligns with one-to-one, or
 *     -1 where the target token aligns with several source tokens or shares its source token
 * @param exact for each target position, whether it is one-to-one and its surface equals the source
 *     token's surface
 */
public record Alignment(int[] sourceOfTarget, boolean[] exact) {

  public int oneToOne() {
    int n = 0;
    for (int s : sourceOfTarget) {
      n += s >= 0 ? 1 : 0;
    }
    return n;
  }

  public int exactMatches() {
    int n = 0;
    for (boolean e : exact) {
      n += e ? 1 : 0;
    }
    return n;
  }
}
