package dev.amalgam.merge.eval;

/** Exact-match accuracy with a 95% Wilson score interval. */
public record Accuracy(int correct, int total, double rate, double low, double high) {

  private static final double Z95 = 1.959963984540054;

  public static Accuracy of(int correct, int total) {
    if (total <= 0 || correct < 0 || correct > total) {
      throw new IllegalArgumentException(
          "accuracy needs 0 <= correct <= total and total > 0, got " + correct + "/" + total);
    }
    double p = (double) correct / total;
    double z2 = Z95 * Z95;
    double denominator = 1 + z2 / total;
    double center = (p + z2 / (2.0 * total)) / denominator;
    double half = Z95 / denominator * Math.sqrt(p * (1 - p) / total + z2 / (4.0 * total * total));
    return new Accuracy(correct, total, p, Math.max(0, center - half), Math.min(1, center + half));
  }

  /** Scores outputs against the examples' answers, pairwise in order. */
  public static Accuracy score(
      java.util.List<TaskExample> examples, java.util.List<String> outputs) {
    if (examples.size() != outputs.size()) {
      throw new IllegalArgumentException(
          examples.size() + " examples but " + outputs.size() + " outputs");
    }
    int correct = 0;
    for (int i = 0; i < examples.size(); i++) {
      if (AnswerExtractor.isCorrect(outputs.get(i), examples.get(i).answer())) {
        correct++;
      }
    }
    return of(correct, examples.size());
  }
}
