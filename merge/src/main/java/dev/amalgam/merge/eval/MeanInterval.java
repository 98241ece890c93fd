package dev.amalgam.merge.eval;

/**
 * The mean of per-example values with the half width of its 95% normal interval (1.96 standard
 * errors; sample variance with n - 1).
 */
public record MeanInterval(double mean, double halfWidth, int n) {

  public static MeanInterval of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values to average");
    }
    double mean = 0;
    for (double x : values) {
      mean += x;
    }
    mean /= values.length;
    double variance = 0;
    for (double x : values) {
      variance += (x - mean) * (x - mean);
    }
    variance /= Math.max(1, values.length - 1);
    return new MeanInterval(
        mean, 1.959963984540054 * Math.sqrt(variance / values.length), values.length);
  }
}
