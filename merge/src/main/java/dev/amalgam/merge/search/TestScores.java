package dev.amalgam.merge.search;

import dev.amalgam.merge.eval.Accuracy;
import dev.amalgam.merge.eval.MeanInterval;
import dev.amalgam.merge.eval.ModelEvaluator;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.runtime.DecoderModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's scores on the test split of every family: exact-match accuracy (95% Wilson interval)
 * and the mean response log-likelihood per token (95% normal interval over examples).
 *
 * @param label the row name in the report
 * @param perFamily family name to its scores, in task order
 */
public record TestScores(String label, Map<String, FamilyScore> perFamily) {

  /** Scores of one family. */
  public record FamilyScore(Accuracy accuracy, double logLik, double logLikHalfWidth) {}

  public TestScores {
    perFamily = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perFamily));
  }

  /** Scores the model as it is now on every task's test examples. */
  public static TestScores measure(
      String label,
      DecoderModel model,
      List<SearchTask> tasks,
      TaskEncoding encoding,
      int maxNewTokens,
      int batchSize) {
    ModelEvaluator evaluator = new ModelEvaluator(model, encoding, maxNewTokens, batchSize);
    double[][] logLiks =
        new LogLikelihoodFitness(tasks, encoding, true, batchSize).perExample(model);
    Map<String, FamilyScore> out = new LinkedHashMap<>();
    for (int f = 0; f < tasks.size(); f++) {
      SearchTask t = tasks.get(f);
      MeanInterval logLik = MeanInterval.of(logLiks[f]);
      out.put(
          t.name(),
          new FamilyScore(evaluator.evaluate(t.test()), logLik.mean(), logLik.halfWidth()));
    }
    return new TestScores(label, out);
  }
}
