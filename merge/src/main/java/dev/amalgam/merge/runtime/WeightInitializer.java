package dev.amalgam.merge.runtime;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fresh weights for training from scratch, as Hugging Face initializes Llama: normal(0, std) for
 * matrices, ones for norms, zeros for biases. Deterministic for a seed.
 */
public final class WeightInitializer {

  private WeightInitializer() {}

  public static MapWeightSource initialize(DecoderConfig config, long seed, double std) {
    MapWeightSource source = new MapWeightSource();
    SplittableRandom random = new SplittableRandom(seed);
    for (Map.Entry<String, long[]> entry : WeightNames.shapes(config).entrySet()) {
      long[] shape = entry.getValue();
      int count = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
      float[] values = new float[count];
      String name = entry.getKey();
      if (WeightNames.isNorm(name)) {
        Arrays.fill(values, 1f);
      } else if (!name.endsWith(".bias")) {
        SplittableRandom tensorRandom = random.split();
        for (int i = 0; i < count; i++) {
          values[i] = (float) (gaussian(tensorRandom) * std);
        }
      }
      source.put(name, shape, values);
    }
    return source;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller keeps the stream independent of JDK Random's implementation details.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
