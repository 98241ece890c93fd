package dev.amalgam.merge.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.List;
import java.util.SplittableRandom;

/** Tiny configs and random weights (norms and biases random too) for runtime tests. */
final class TinyModels {

  private TinyModels() {}

  static DecoderConfig llama() {
    return new DecoderConfig(
        "llama", 16, 24, 2, 4, 2, 4, 13, 1e-5, 10000, null, false, false, false, false, 0);
  }

  static DecoderConfig tiedLlama() {
    return new DecoderConfig(
        "llama", 16, 24, 2, 4, 4, 4, 13, 1e-6, 500, null, true, false, false, false, 0);
  }

  static DecoderConfig qwen2() {
    return new DecoderConfig(
        "qwen2", 16, 20, 2, 4, 1, 4, 13, 1e-6, 1000000, null, true, true, false, false, 0);
  }

  static DecoderConfig mistralWindow3() {
    return new DecoderConfig(
        "mistral", 16, 24, 2, 4, 2, 4, 13, 1e-5, 10000, null, false, false, false, false, 3);
  }

  static DecoderConfig qwen3() {
    return new DecoderConfig(
        "qwen3", 12, 20, 2, 4, 2, 6, 13, 1e-6, 1000000, null, false, false, false, true, 0);
  }

  static DecoderConfig llama3Scaled() {
    return new DecoderConfig(
        "llama",
        16,
        24,
        1,
        2,
        1,
        8,
        13,
        1e-5,
        500000,
        new RopeScaling("llama3", 8.0, 1.0, 4.0, 16),
        false,
        true,
        true,
        false,
        0);
  }

  static MapWeightSource randomWeights(DecoderConfig config, long seed) {
    MapWeightSource base = WeightInitializer.initialize(config, seed, 0.3);
    MapWeightSource weights = new MapWeightSource();
    SplittableRandom random = new SplittableRandom(seed + 1);
    for (String name : base.names()) {
      float[] values = base.floats(name);
      if (name.endsWith("norm.weight") || name.endsWith(".bias")) {
        float center = name.endsWith(".bias") ? 0f : 1f;
        for (int i = 0; i < values.length; i++) {
          values[i] = center + (float) (random.nextDouble() - 0.5);
        }
      }
      weights.put(name, base.shape(name), values);
    }
    return weights;
  }

  /** The model's logits [position][vocab] for one unpadded sequence. */
  static float[][] logits(DecoderModel model, int[] tokens) {
    try (NDScope ignored = new NDScope();
        NDManager scope = model.manager().newSubManager()) {
      PaddedBatch batch = PaddedBatch.rightPadded(List.of(tokens));
      NDArray mask = batch.maskArray(scope);
      float[] flat =
          model
              .forward(batch.idArray(scope), mask, DecoderModel.positionsFromMask(mask), null)
              .toFloatArray();
      int vocab = model.config().vocab();
      float[][] result = new float[tokens.length][vocab];
      for (int t = 0; t < tokens.length; t++) {
        System.arraycopy(flat, t * vocab, result[t], 0, vocab);
      }
      return result;
    }
  }

  static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
