package dev.amalgam.merge.search;

import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.CMAESOptimizer;
import org.apache.commons.math3.random.MersenneTwister;

/**
 * CMA-ES over a {@link SearchSpace} (Apache Commons Math's {@link CMAESOptimizer}, bounded,
 * seeded): the start point (uniform weights 1/N, density 1) is evaluated first, then CMA-ES samples
 * around it with step size σ until {@code budget} candidates have been merged and scored. Cache
 * hits do not count against the budget, but at most 10 × budget candidates are drawn in all.
 */
public final class LayerwiseSearch {
  /** The initial step size of every gene. */
  public static final double SIGMA = 1.0 / 6;

  /** Why the search ended. */
  public enum Outcome {
    BUDGET_SPENT,
    CONVERGED
  }

  private static final class BudgetSpent extends RuntimeException {
    BudgetSpent() {
      super("budget spent", null, false, false);
    }
  }

  private LayerwiseSearch() {}

  /**
   * Runs the search; the evaluator keeps every evaluation and the best.
   *
   * @param budget candidates to merge and score (at least 1)
   * @param seed seeds CMA-ES's random numbers
   */
  public static Outcome run(CandidateEvaluator evaluator, int budget, long seed) {
    if (budget < 1) {
      throw new IllegalArgumentException("--budget must be at least 1, got " + budget);
    }
    SearchSpace space = evaluator.space();
    int startComputed = evaluator.computed();
    int[] drawn = {0};
    evaluator.evaluate(space.start());
    if (evaluator.computed() - startComputed >= budget) {
      return Outcome.BUDGET_SPENT;
    }
    double[] sigma = new double[space.dimension()];
    java.util.Arrays.fill(sigma, SIGMA);
    int population = 4 + (int) (3 * Math.log(space.dimension()));
    CMAESOptimizer optimizer =
        new CMAESOptimizer(1_000_000, 0, true, 0, 0, new MersenneTwister(seed), false, null);
    ObjectiveFunction objective =
        new ObjectiveFunction(
            x -> {
              if (evaluator.computed() - startComputed >= budget || ++drawn[0] > 10 * budget) {
                throw new BudgetSpent();
              }
              return evaluator.evaluate(x).fitness();
            });
    try {
      optimizer.optimize(
          new MaxEval(Integer.MAX_VALUE),
          objective,
          GoalType.MAXIMIZE,
          new InitialGuess(space.start()),
          new SimpleBounds(space.lower(), space.upper()),
          new CMAESOptimizer.Sigma(sigma),
          new CMAESOptimizer.PopulationSize(population));
      return Outcome.CONVERGED;
    } catch (BudgetSpent | TooManyEvaluationsException e) {
      return Outcome.BUDGET_SPENT;
    }
  }
}
