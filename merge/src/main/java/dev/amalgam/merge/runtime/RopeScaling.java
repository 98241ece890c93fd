package dev.amalgam.merge.runtime;

/**
 * The {@code rope_scaling} block of a Hugging Face config. Supported types: {@code linear}
 * (positions divided by {@code factor}) and {@code llama3} (frequency-dependent scaling of Llama
 * 3.1+).
 */
public record RopeScaling(
    String type,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    int originalMaxPositionEmbeddings) {

  public RopeScaling {
    if (!type.equals("linear") && !type.equals("llama3")) {
      throw new IllegalArgumentException(
          "config.json: rope_scaling.rope_type '" + type + "' is not supported (linear, llama3)");
    }
    if (!(factor > 0)) {
      throw new IllegalArgumentException(
          "config.json: rope_scaling.factor must be positive, got " + factor);
    }
  }

  /**
   * Applies this scaling to the unscaled inverse frequencies, following the published Llama 3
   * definition: long wavelengths are divided by the factor, short ones kept, the band between
   * interpolated smoothly.
   */
  double[] apply(double[] inverseFrequencies) {
    double[] scaled = new double[inverseFrequencies.length];
    if (type.equals("linear")) {
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] = inverseFrequencies[i] / factor;
      }
      return scaled;
    }
    double lowFreqWavelength = originalMaxPositionEmbeddings / lowFreqFactor;
    double highFreqWavelength = originalMaxPositionEmbeddings / highFreqFactor;
    for (int i = 0; i < scaled.length; i++) {
      double frequency = inverseFrequencies[i];
      double wavelength = 2 * Math.PI / frequency;
      if (wavelength < highFreqWavelength) {
        scaled[i] = frequency;
      } else if (wavelength > lowFreqWavelength) {
        scaled[i] = frequency / factor;
      } else {
        double smooth =
            (originalMaxPositionEmbeddings / wavelength - lowFreqFactor)
                / (highFreqFactor - lowFreqFactor);
        scaled[i] = (1 - smooth) * frequency / factor + smooth * frequency;
      }
    }
    return scaled;
  }
}
