package dev.amalgam.merge.search;

import dev.amalgam.merge.eval.ModelEvaluator;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.runtime.DecoderModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Exact-match accuracy of greedy answers on the dev examples, weighted over the families. */
public final class AccuracyFitness implements Fitness {
  private final List<SearchTask> tasks;
  private final TaskEncoding encoding;
  private final int maxNewTokens;
  private final int batchSize;

  public AccuracyFitness(
      List<SearchTask> tasks, TaskEncoding encoding, int maxNewTokens, int batchSize) {
    this.tasks = List.copyOf(tasks);
    this.encoding = encoding;
    this.maxNewTokens = maxNewTokens;
    this.batchSize = batchSize;
  }

  @Override
  public String name() {
    return "accuracy";
  }

  @Override
  public Score evaluate(DecoderModel model) {
    ModelEvaluator evaluator = new ModelEvaluator(model, encoding, maxNewTokens, batchSize);
    Map<String, Double> perFamily = new LinkedHashMap<>();
    for (SearchTask t : tasks) {
      perFamily.put(t.name(), evaluator.evaluate(t.dev()).rate());
    }
    return new Score(Fitness.weighted(perFamily, tasks), perFamily);
  }
}
