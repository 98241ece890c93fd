package dev.amalgam.merge.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Rotary position embedding in Hugging Face's rotate-half layout. */
final class Rope {

  private Rope() {}

  /** inv_freq[i] = 1 / theta^(2i / head_dim), then the config's rope scaling, as fp32. */
  static float[] inverseFrequencies(DecoderConfig config) {
    int half = config.headDim() / 2;
    double[] frequencies = new double[half];
    for (int i = 0; i < half; i++) {
      frequencies[i] = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / config.headDim());
    }
    if (config.ropeScaling() != null) {
      frequencies = config.ropeScaling().apply(frequencies);
    }
    float[] result = new float[half];
    for (int i = 0; i < half; i++) {
      result[i] = (float) frequencies[i];
    }
    return result;
  }

  /** cos and sin of position × inv_freq, duplicated over both halves: each [B,1,T,D]. */
  static NDArray[] cosSin(NDArray positions, float[] inverseFrequencies) {
    NDArray frequencies =
        positions.getManager().create(inverseFrequencies, new Shape(inverseFrequencies.length));
    NDArray angles = positions.expandDims(2).mul(frequencies);
    NDArray embedding = angles.concat(angles, 2).expandDims(1);
    return new NDArray[] {embedding.cos(), embedding.sin()};
  }

  /** x * cos + rotate_half(x) * sin for x [B,heads,T,D], rotate_half(x) = [-x2, x1]. */
  static NDArray apply(NDArray x, NDArray[] cosSin) {
    long half = x.getShape().get(3) / 2;
    NDArray first = x.get(":, :, :, :{}", half);
    NDArray second = x.get(":, :, :, {}:", half);
    NDArray rotated = second.neg().concat(first, 3);
    return x.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
  }
}
