package dev.amalgam.merge.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The best uniform merge: one global value per searched parameter (every layer and model alike),
 * chosen on the same dev fitness from a small grid (weight 0.2 to 1.0, density 0.4 to 1.0, t 0.1 to
 * 0.9), as the baseline the layer-wise search has to beat.
 */
public final class UniformGrid {
  private static final double[] WEIGHTS = {0.2, 0.4, 0.6, 0.8, 1.0};
  private static final double[] DENSITIES = {0.4, 0.7, 1.0};
  private static final double[] TS = {0.1, 0.3, 0.5, 0.7, 0.9};

  private UniformGrid() {}

  /** The grid's genomes (values clamped into the bounds; duplicates removed). */
  public static List<double[]> genomes(SearchSpace space) {
    List<double[]> points = new ArrayList<>();
    points.add(new double[0]);
    for (SearchedParameter p : space.parameters()) {
      double[] values =
          switch (p.name()) {
            case "weight" -> WEIGHTS;
            case "density" -> DENSITIES;
            default -> TS;
          };
      List<double[]> next = new ArrayList<>();
      for (double[] prefix : points) {
        for (double v : values) {
          double[] point = java.util.Arrays.copyOf(prefix, prefix.length + 1);
          point[prefix.length] = SearchSpace.quantize(p.clamp(v));
          if (next.stream().noneMatch(q -> java.util.Arrays.equals(q, point))) {
            next.add(point);
          }
        }
      }
      points = next;
    }
    return points.stream().map(space::uniform).toList();
  }

  /** Evaluates every grid point; returns the best evaluation. */
  public static Evaluation best(CandidateEvaluator evaluator) {
    for (double[] genome : genomes(evaluator.space())) {
      evaluator.evaluate(genome);
    }
    return evaluator.best();
  }
}
