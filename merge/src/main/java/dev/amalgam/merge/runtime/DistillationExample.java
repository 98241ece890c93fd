package dev.amalgam.merge.runtime;

/**
 * A training sequence with a soft target at every loss position: a sparse distribution over the
 * vocabulary (ids with probabilities summing to 1) that the model's prediction of token t is pulled
 * towards, next to the gold token itself.
 *
 * @param example the tokens and the loss mask
 * @param targetIds for each token t with the loss mask set, the ids of its soft target; else empty
 * @param targetProbs their probabilities, aligned with targetIds
 */
public record DistillationExample(
    TrainingExample example, int[][] targetIds, float[][] targetProbs) {

  public DistillationExample {
    int n = example.tokens().length;
    if (targetIds.length != n || targetProbs.length != n) {
      throw new IllegalArgumentException(
          "distillation example: "
              + n
              + " tokens but "
              + targetIds.length
              + " soft-target rows and "
              + targetProbs.length
              + " probability rows");
    }
    for (int t = 0; t < n; t++) {
      if (targetIds[t].length != targetProbs[t].length) {
        throw new IllegalArgumentException(
            "distillation example: position " + t + " has ids and probabilities of unequal length");
      }
      if (example.lossMask()[t] && targetIds[t].length == 0) {
        throw new IllegalArgumentException(
            "distillation example: loss position " + t + " has no soft target");
      }
    }
  }
}
