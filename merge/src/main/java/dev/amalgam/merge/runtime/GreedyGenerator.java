package dev.amalgam.merge.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy decoding with a KV cache: the prompts (left padded) run once, then one token per step
 * attends to the cached keys and values.
 */
public final class GreedyGenerator {

  private final DecoderModel model;

  public GreedyGenerator(DecoderModel model) {
    this.model = model;
  }

  /**
   * Generates up to maxNewTokens per prompt. A sequence stops after emitting stopTokenId (which is
   * included in its result); pass -1 for no stop token.
   */
  public List<int[]> generate(List<int[]> prompts, int maxNewTokens, int stopTokenId) {
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
    }
    PaddedBatch.checkVocabulary(prompts, model.config().vocab());
    ComputeThreads.disableGradients();
    PaddedBatch batch = PaddedBatch.leftPadded(prompts);
    int size = batch.batch();
    List<List<Integer>> generated = new ArrayList<>();
    boolean[] done = new boolean[size];
    for (int b = 0; b < size; b++) {
      generated.add(new ArrayList<>());
    }
    if (maxNewTokens == 0) {
      return toArrays(generated);
    }
    float[] keyMask = batch.mask();
    int keys = batch.length();
    float[] nextPositions = new float[size];
    for (int b = 0; b < size; b++) {
      nextPositions[b] = prompts.get(b).length;
    }
    try (NDScope ignored = new NDScope();
        NDManager scope = model.manager().newSubManager();
        KvCache cache = new KvCache(model.config().layers())) {
      long[] next;
      try (NDScope step = new NDScope()) {
        NDArray ids = batch.idArray(scope);
        NDArray mask = batch.maskArray(scope);
        NDArray logits = model.forward(ids, mask, DecoderModel.positionsFromMask(mask), cache);
        next = lastArgmax(logits);
      }
      for (int produced = 1; ; produced++) {
        boolean allDone = true;
        for (int b = 0; b < size; b++) {
          if (!done[b]) {
            generated.get(b).add((int) next[b]);
            done[b] = next[b] == stopTokenId;
          }
          allDone &= done[b];
        }
        if (allDone || produced == maxNewTokens) {
          break;
        }
        keyMask = extendMask(keyMask, size, keys);
        keys++;
        try (NDScope step = new NDScope()) {
          NDArray ids = scope.create(next, new Shape(size, 1));
          NDArray mask = scope.create(keyMask, new Shape(size, keys));
          NDArray positions = scope.create(nextPositions, new Shape(size, 1));
          next = lastArgmax(model.forward(ids, mask, positions, cache));
        }
        for (int b = 0; b < size; b++) {
          nextPositions[b]++;
        }
      }
    }
    return toArrays(generated);
  }

  private static long[] lastArgmax(NDArray logits) {
    long length = logits.getShape().get(1);
    return logits.get(":, {}, :", length - 1).argMax(-1).toLongArray();
  }

  private static float[] extendMask(float[] mask, int size, int keys) {
    float[] extended = new float[size * (keys + 1)];
    for (int b = 0; b < size; b++) {
      System.arraycopy(mask, b * keys, extended, b * (keys + 1), keys);
      extended[b * (keys + 1) + keys] = 1f;
    }
    return extended;
  }

  private static List<int[]> toArrays(List<List<Integer>> generated) {
    List<int[]> result = new ArrayList<>();
    for (List<Integer> tokens : generated) {
      result.add(tokens.stream().mapToInt(Integer::intValue).toArray());
    }
    return result;
  }
}
