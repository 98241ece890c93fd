package dev.amalgam.merge.search;

import dev.amalgam.merge.runtime.DecoderModel;
import java.util.Map;

/** Scores the model as it is now; higher is better. */
public interface Fitness {

  /** The score and its per-family parts. */
  record Score(double value, Map<String, Double> perFamily) {
    public Score {
      perFamily = Map.copyOf(perFamily);
    }
  }

  /** A short description for logs ({@code loglik} or {@code accuracy}). */
  String name();

  Score evaluate(DecoderModel model);

  /** Combines per-family values with the tasks' weights. */
  static double weighted(Map<String, Double> perFamily, Iterable<SearchTask> tasks) {
    double sum = 0;
    double weights = 0;
    for (SearchTask t : tasks) {
      sum += t.weight() * perFamily.get(t.name());
      weights += t.weight();
    }
    return sum / weights;
  }
}
