package dev.amalgam.merge.fusion;

/**
 * What a source model said about one example's response, token by token (the last token is the
 * end-of-response id).
 *
 * @param tokens the source's response token ids
 * @param starts each token's start char offset in the response text (eos: the text length)
 * @param ends each token's end char offset
 * @param topIds the k most likely ids at each token, flattened [token * k + rank]
 * @param topLogProbs their log-probs, same layout
 * @param totalNll the negative log-likelihood of the whole gold response, in nats
 */
public record SequenceSummary(
    int[] tokens, int[] starts, int[] ends, int[] topIds, float[] topLogProbs, float totalNll) {

  public SequenceSummary {
    int n = tokens.length;
    if (starts.length != n || ends.length != n || topIds.length != topLogProbs.length) {
      throw new IllegalArgumentException("sequence summary: column lengths disagree");
    }
    if (n == 0 || topIds.length % n != 0) {
      throw new IllegalArgumentException("sequence summary: needs at least one response token");
    }
  }

  public int size() {
    return tokens.length;
  }

  public int topK() {
    return topIds.length / tokens.length;
  }
}
