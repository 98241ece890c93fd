package dev.amalgam.merge.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Scores whole sequences in one batched forward pass (right padding, masked). */
public final class TeacherForcedScorer {

  private final DecoderModel model;

  public TeacherForcedScorer(DecoderModel model) {
    this.model = model;
  }

  /** Scores each sequence, 8 per forward pass; topK = 0 skips the top-k extraction. */
  public List<SequenceScores> score(List<int[]> sequences, int topK) {
    return score(sequences, topK, 8);
  }

  /** Scores each sequence, batchSize sequences per forward pass. */
  public List<SequenceScores> score(List<int[]> sequences, int topK, int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    List<SequenceScores> results = new ArrayList<>();
    for (int start = 0; start < sequences.size(); start += batchSize) {
      results.addAll(
          scoreBatch(
              sequences.subList(start, Math.min(sequences.size(), start + batchSize)), topK));
    }
    return results;
  }

  private List<SequenceScores> scoreBatch(List<int[]> sequences, int topK) {
    int vocab = model.config().vocab();
    if (topK < 0 || topK > vocab) {
      throw new IllegalArgumentException("top-k " + topK + " outside [0, " + vocab + "]");
    }
    PaddedBatch.checkVocabulary(sequences, vocab);
    ComputeThreads.disableGradients();
    PaddedBatch batch = PaddedBatch.rightPadded(sequences);
    int length = batch.length();
    List<SequenceScores> results = new ArrayList<>();
    try (NDScope ignored = new NDScope();
        NDManager scope = model.manager().newSubManager()) {
      NDArray ids = batch.idArray(scope);
      NDArray mask = batch.maskArray(scope);
      NDArray logits = model.forward(ids, mask, DecoderModel.positionsFromMask(mask), null);
      float[] targetLogProbs = new float[0];
      float[] topValues = new float[0];
      long[] topIndices = new long[0];
      if (length > 1) {
        NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
        NDArray targets = ids.get(":, 1:").expandDims(2);
        targetLogProbs = logProbs.gather(targets, 2).toFloatArray();
        if (topK > 0) {
          NDList top = logProbs.topK(topK, -1, true, true);
          topValues = top.get(0).toFloatArray();
          topIndices = top.get(1).toLongArray();
        }
      }
      for (int b = 0; b < sequences.size(); b++) {
        results.add(
            unpack(sequences.get(b), b, length - 1, topK, targetLogProbs, topValues, topIndices));
      }
    }
    return results;
  }

  private static SequenceScores unpack(
      int[] tokens,
      int row,
      int predicted,
      int topK,
      float[] targetLogProbs,
      float[] topValues,
      long[] topIndices) {
    int n = tokens.length;
    float[] logProbs = new float[n];
    int[][] topIds = new int[n][];
    float[][] topLogProbs = new float[n][];
    logProbs[0] = Float.NaN;
    topIds[0] = new int[0];
    topLogProbs[0] = new float[0];
    for (int t = 1; t < n; t++) {
      int at = row * predicted + (t - 1);
      logProbs[t] = targetLogProbs[at];
      topIds[t] = new int[topK];
      topLogProbs[t] = Arrays.copyOfRange(topValues, at * topK, (at + 1) * topK);
      for (int k = 0; k < topK; k++) {
        topIds[t][k] = Math.toIntExact(topIndices[at * topK + k]);
      }
    }
    return new SequenceScores(tokens.clone(), logProbs, topIds, topLogProbs);
  }
}
