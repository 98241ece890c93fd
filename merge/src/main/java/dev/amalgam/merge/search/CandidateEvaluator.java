package dev.amalgam.merge.search;

import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Evaluates genomes: quantize, write the candidate recipe, merge it in memory, score it. Scores are
 * cached by genome, so a genome seen before costs nothing. Keeps the history and the best
 * evaluation so far (readable from other threads, e.g. a shutdown hook).
 */
public final class CandidateEvaluator {
  private final SearchSpace space;
  private final LayerwiseRecipeWriter writer;
  private final CandidateMerger merger;
  private final Fitness fitness;
  private final Map<List<Double>, Evaluation> cache = new HashMap<>();
  private final List<Evaluation> history = new ArrayList<>();
  private Consumer<Evaluation> listener = e -> {};
  private volatile Evaluation best;
  private volatile int evaluated;
  private int computed;
  private double computeSeconds;

  public CandidateEvaluator(
      SearchSpace space, LayerwiseRecipeWriter writer, CandidateMerger merger, Fitness fitness) {
    this.space = space;
    this.writer = writer;
    this.merger = merger;
    this.fitness = fitness;
  }

  /** Called after every evaluation, cached ones included. */
  public void onEvaluation(Consumer<Evaluation> listener) {
    this.listener = listener;
  }

  public SearchSpace space() {
    return space;
  }

  public Fitness fitness() {
    return fitness;
  }

  public CandidateMerger merger() {
    return merger;
  }

  /** The recipe text of a genome (quantized first), with comment lines on top. */
  public String recipe(double[] genome, List<String> comments) {
    return writer.write(space, space.quantize(genome), comments);
  }

  /** The parsed candidate recipe of a genome. */
  public Recipe parse(double[] genome) {
    return RecipeParser.parse(recipe(genome, List.of()), "candidate");
  }

  public synchronized Evaluation evaluate(double[] rawGenome) {
    double[] genome = space.quantize(rawGenome);
    List<Double> key = Arrays.stream(genome).boxed().toList();
    Evaluation hit = cache.get(key);
    Evaluation e;
    if (hit != null) {
      e = new Evaluation(history.size() + 1, genome, hit.score(), 0, 0, 0, true, hit.recipe());
    } else {
      long start = System.nanoTime();
      String text = writer.write(space, genome, List.of());
      int merged = merger.apply(RecipeParser.parse(text, "candidate"));
      double mergeSeconds = (System.nanoTime() - start) / 1e9;
      Fitness.Score score = fitness.evaluate(merger.model());
      double seconds = (System.nanoTime() - start) / 1e9;
      computed++;
      computeSeconds += seconds;
      e =
          new Evaluation(
              history.size() + 1, genome, score, seconds, mergeSeconds, merged, false, text);
      cache.put(key, e);
    }
    history.add(e);
    evaluated = history.size();
    if (best == null || e.fitness() > best.fitness()) {
      best = e;
    }
    listener.accept(e);
    return e;
  }

  /** The best evaluation so far, or null before the first. */
  public Evaluation best() {
    return best;
  }

  /** How many evaluations were made (cache hits included); never blocks. */
  public int evaluated() {
    return evaluated;
  }

  public synchronized List<Evaluation> history() {
    return List.copyOf(history);
  }

  /** Evaluations that merged and scored a model (cache hits excluded). */
  public synchronized int computed() {
    return computed;
  }

  /** Computed evaluations per minute of the time spent computing them. */
  public synchronized double evaluationsPerMinute() {
    return computeSeconds == 0 ? 0 : computed * 60.0 / computeSeconds;
  }
}
