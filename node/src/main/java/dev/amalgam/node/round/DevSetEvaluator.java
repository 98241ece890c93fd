package dev.amalgam.node.round;

import dev.amalgam.bootstrap.round.DevSet;
import dev.amalgam.merge.eval.ModelEvaluator;
import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.node.cli.LoadedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scores a checkpoint on a dev set the way {@code amalgam eval} does: greedy generation, exact
 * match of the extracted answer, accuracy per task family.
 */
final class DevSetEvaluator {
  private static final int BATCH = 32;

  Map<String, Double> evaluate(Path checkpoint, DevSet devSet) throws IOException {
    Split split = Split.parse(devSet.split());
    Map<String, Double> scores = new LinkedHashMap<>();
    try (LoadedModel loaded = LoadedModel.load(checkpoint)) {
      ModelEvaluator evaluator =
          new ModelEvaluator(loaded.model(), loaded.encoding(), devSet.maxTokens(), BATCH);
      for (String task : devSet.tasks()) {
        scores.put(
            task,
            evaluator
                .evaluate(
                    TaskFamilies.generate(
                        TaskFamilies.byName(task), split, devSet.n(), devSet.seed()))
                .rate());
      }
    }
    return scores;
  }
}
