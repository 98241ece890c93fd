package dev.amalgam.node.demo;

import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.search.SearchTask;
import dev.amalgam.merge.search.TestScores;
import dev.amalgam.node.cli.LoadedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Test-split scores of the demo's models (exact match with 95% Wilson intervals, and the mean
 * log-likelihood of the gold responses), each model loaded and scored on a pool thread; the pool's
 * size is how many run at once. Rows keep the order the models were submitted in.
 */
public final class Evaluations {
  /** Every task family, in table order. */
  public static final List<String> FAMILIES = List.of("arithmetic", "relational", "composite");

  static final int MAX_NEW_TOKENS = TaskFamilies.DEFAULT_MAX_NEW_TOKENS;
  private static final int BATCH = 32;

  private final ExecutorService pool;
  private final List<SearchTask> tasks = new ArrayList<>();
  private final Map<String, Future<TestScores>> submitted = new LinkedHashMap<>();

  /** {@code n} test examples per family, generated with {@code seed}. */
  public Evaluations(ExecutorService pool, int n, long seed) {
    this.pool = pool;
    for (String family : FAMILIES) {
      tasks.add(
          new SearchTask(
              family,
              1,
              List.of(),
              TaskFamilies.generate(TaskFamilies.byName(family), Split.TEST, n, seed)));
    }
  }

  /** Queues the checkpoint in {@code dir} under the row label {@code label}. */
  public synchronized void submit(String label, Path dir) {
    submitted.put(
        label,
        pool.submit(
            () -> {
              try (LoadedModel m = LoadedModel.load(dir)) {
                return TestScores.measure(
                    label, m.model(), tasks, m.encoding(), MAX_NEW_TOKENS, BATCH);
              }
            }));
  }

  /** Every submitted model's scores, in submission order, once all are done. */
  public List<TestScores> awaitAll() throws IOException, InterruptedException {
    List<Map.Entry<String, Future<TestScores>>> entries;
    synchronized (this) {
      entries = new ArrayList<>(submitted.entrySet());
    }
    List<TestScores> rows = new ArrayList<>();
    for (Map.Entry<String, Future<TestScores>> e : entries) {
      try {
        rows.add(Futures.get(e.getValue()));
      } catch (RuntimeException ex) {
        throw new DemoException("evaluating " + e.getKey() + ": " + ex.getMessage(), ex);
      }
    }
    return rows;
  }

  public int examplesPerModel() {
    return tasks.stream().mapToInt(t -> t.test().size()).sum();
  }
}
