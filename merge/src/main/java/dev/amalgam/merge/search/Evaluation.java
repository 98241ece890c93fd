package dev.amalgam.merge.search;

/**
 * One evaluated candidate.
 *
 * @param index 1-based position in the search (cache hits included)
 * @param genome the quantized genome
 * @param score its fitness
 * @param seconds wall time of merging and scoring (0 for a cache hit)
 * @param mergeSeconds the part of it spent merging tensors
 * @param mergedTensors tensors merged for it (the rest were unchanged since the previous one)
 * @param cached whether the score came from the cache
 * @param recipe the candidate recipe text
 */
public record Evaluation(
    int index,
    double[] genome,
    Fitness.Score score,
    double seconds,
    double mergeSeconds,
    int mergedTensors,
    boolean cached,
    String recipe) {

  public Evaluation {
    genome = genome.clone();
  }

  @Override
  public double[] genome() {
    return genome.clone();
  }

  public double fitness() {
    return score.value();
  }
}
