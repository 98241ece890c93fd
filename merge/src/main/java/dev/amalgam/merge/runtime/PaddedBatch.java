package dev.amalgam.merge.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Token sequences padded to one length, with a mask marking the real tokens. */
record PaddedBatch(long[] ids, float[] mask, int batch, int length) {

  static PaddedBatch rightPadded(List<int[]> sequences) {
    return of(sequences, false);
  }

  static PaddedBatch leftPadded(List<int[]> sequences) {
    return of(sequences, true);
  }

  private static PaddedBatch of(List<int[]> sequences, boolean left) {
    if (sequences.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    int length = 0;
    for (int i = 0; i < sequences.size(); i++) {
      if (sequences.get(i).length == 0) {
        throw new IllegalArgumentException("sequence " + i + " of the batch is empty");
      }
      length = Math.max(length, sequences.get(i).length);
    }
    int batch = sequences.size();
    long[] ids = new long[batch * length];
    float[] mask = new float[batch * length];
    for (int b = 0; b < batch; b++) {
      int[] tokens = sequences.get(b);
      int offset = left ? length - tokens.length : 0;
      for (int t = 0; t < tokens.length; t++) {
        ids[b * length + offset + t] = tokens[t];
        mask[b * length + offset + t] = 1f;
      }
    }
    return new PaddedBatch(ids, mask, batch, length);
  }

  static void checkVocabulary(List<int[]> sequences, int vocab) {
    for (int i = 0; i < sequences.size(); i++) {
      for (int t = 0; t < sequences.get(i).length; t++) {
        int id = sequences.get(i)[t];
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException(
              "sequence "
                  + i
                  + ", position "
                  + t
                  + ": token id "
                  + id
                  + " outside [0, "
                  + vocab
                  + ")");
        }
      }
    }
  }

  NDArray idArray(NDManager manager) {
    return manager.create(ids, new Shape(batch, length));
  }

  NDArray maskArray(NDManager manager) {
    return manager.create(mask, new Shape(batch, length));
  }
}
