package dev.amalgam.merge.fusion;

import java.util.Arrays;
import java.util.List;

/** A probability distribution over a few vocabulary ids (the rest have probability 0). */
public record SparseDistribution(int[] ids, float[] probs) {

  public static SparseDistribution oneHot(int id) {
    return new SparseDistribution(new int[] {id}, new float[] {1f});
  }

  /**
   * The top-k entries renormalized to sum to 1, ids already mapped into the target vocabulary (ids
   * that map to the same target token are merged): ids[r] has log-prob logProbs[from + r].
   */
  public static SparseDistribution fromTopK(int[] ids, float[] logProbs, int from) {
    int k = ids.length;
    int[] outIds = new int[k];
    float[] outProbs = new float[k];
    int size = 0;
    double total = 0;
    for (int r = 0; r < k; r++) {
      int id = ids[r];
      float p = (float) Math.exp(logProbs[from + r]);
      total += p;
      int existing = indexOf(outIds, size, id);
      if (existing >= 0) {
        outProbs[existing] += p;
      } else {
        outIds[size] = id;
        outProbs[size++] = p;
      }
    }
    for (int i = 0; i < size; i++) {
      outProbs[i] = (float) (outProbs[i] / total);
    }
    return new SparseDistribution(Arrays.copyOf(outIds, size), Arrays.copyOf(outProbs, size));
  }

  /** The mixture sum_c weights[c] * parts[c]; parts with weight 0 are skipped. */
  public static SparseDistribution mix(List<SparseDistribution> parts, double[] weights) {
    int capacity = 0;
    for (int c = 0; c < parts.size(); c++) {
      capacity += weights[c] > 0 ? parts.get(c).ids.length : 0;
    }
    int[] ids = new int[capacity];
    float[] probs = new float[capacity];
    int size = 0;
    for (int c = 0; c < parts.size(); c++) {
      if (weights[c] <= 0) {
        continue;
      }
      SparseDistribution part = parts.get(c);
      for (int i = 0; i < part.ids.length; i++) {
        int existing = indexOf(ids, size, part.ids[i]);
        float p = (float) (weights[c] * part.probs[i]);
        if (existing >= 0) {
          probs[existing] += p;
        } else {
          ids[size] = part.ids[i];
          probs[size++] = p;
        }
      }
    }
    return new SparseDistribution(Arrays.copyOf(ids, size), Arrays.copyOf(probs, size));
  }

  private static int indexOf(int[] ids, int size, int id) {
    for (int i = 0; i < size; i++) {
      if (ids[i] == id) {
        return i;
      }
    }
    return -1;
  }
}
