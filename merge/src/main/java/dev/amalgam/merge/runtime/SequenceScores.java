package dev.amalgam.merge.runtime;

/**
 * Teacher-forced scores of one sequence. Index t describes token t as predicted from tokens before
 * it; position 0 has no prediction (NaN log-prob, empty top-k).
 *
 * @param tokens the scored token ids
 * @param logProbs log p(tokens[t] | tokens[<t])
 * @param topIds the k most likely ids at position t, most likely first
 * @param topLogProbs their log-probs
 */
public record SequenceScores(
    int[] tokens, float[] logProbs, int[][] topIds, float[][] topLogProbs) {

  /** Sum of the log-probs of positions [from, tokens.length). */
  public double sumLogProb(int from) {
    double sum = 0;
    for (int t = Math.max(1, from); t < tokens.length; t++) {
      sum += logProbs[t];
    }
    return sum;
  }
}
