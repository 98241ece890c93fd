package dev.amalgam.merge.fusion;

/** How per-sequence candidate distributions are combined, from each candidate's CE. */
public enum FusionRule {
  /** All weight on the candidate with the lowest CE (the first one on ties). */
  MIN_CE("minCE"),
  /** A mixture weighted by a softmax over the negative CEs. */
  AVG_CE("avgCE");

  private final String label;

  FusionRule(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static FusionRule parse(String text) {
    for (FusionRule rule : values()) {
      if (rule.label.equalsIgnoreCase(text) || rule.name().equalsIgnoreCase(text)) {
        return rule;
      }
    }
    throw new IllegalArgumentException("fusion rule '" + text + "' is not one of minCE, avgCE");
  }

  /** The candidates' weights (summing to 1) given their cross-entropies. */
  public double[] weights(double[] crossEntropies) {
    double[] w = new double[crossEntropies.length];
    if (this == MIN_CE) {
      int best = 0;
      for (int c = 1; c < crossEntropies.length; c++) {
        if (crossEntropies[c] < crossEntropies[best]) {
          best = c;
        }
      }
      w[best] = 1;
      return w;
    }
    double min = Double.POSITIVE_INFINITY;
    for (double ce : crossEntropies) {
      min = Math.min(min, ce);
    }
    double sum = 0;
    for (int c = 0; c < w.length; c++) {
      w[c] = Math.exp(-(crossEntropies[c] - min));
      sum += w[c];
    }
    for (int c = 0; c < w.length; c++) {
      w[c] /= sum;
    }
    return w;
  }
}
