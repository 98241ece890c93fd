package dev.amalgam.merge.search;

import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.SequenceScores;
import dev.amalgam.merge.runtime.TeacherForcedScorer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mean log-likelihood per token of the gold responses (response tokens and the closing eos,
 * teacher-forced after the prompt), averaged over each family's examples and weighted over the
 * families. Examples are tokenized once; sequences are scored in batches of similar length so that
 * little padding is computed.
 */
public final class LogLikelihoodFitness implements Fitness {
  private final List<SearchTask> tasks;
  private final List<Sequence> sequences;
  private final int batchSize;

  private record Sequence(int family, int[] tokens, int responseStart) {}

  /**
   * @param tasks the families and their examples
   * @param useTest whether to score the test examples instead of the dev ones (for the report)
   */
  public LogLikelihoodFitness(
      List<SearchTask> tasks, TaskEncoding encoding, boolean useTest, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.tasks = List.copyOf(tasks);
    this.batchSize = batchSize;
    List<Sequence> all = new ArrayList<>();
    for (int f = 0; f < tasks.size(); f++) {
      for (TaskExample example : useTest ? tasks.get(f).test() : tasks.get(f).dev()) {
        int[] prompt = encoding.prompt(example);
        int[] response = encoding.response(example);
        int[] tokens = new int[prompt.length + response.length];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        System.arraycopy(response, 0, tokens, prompt.length, response.length);
        all.add(new Sequence(f, tokens, prompt.length));
      }
    }
    all.sort(Comparator.comparingInt(s -> s.tokens().length));
    this.sequences = List.copyOf(all);
  }

  @Override
  public String name() {
    return "loglik";
  }

  @Override
  public Score evaluate(DecoderModel model) {
    double[][] perExample = perExample(model);
    Map<String, Double> perFamily = new LinkedHashMap<>();
    for (int f = 0; f < tasks.size(); f++) {
      double sum = 0;
      for (double v : perExample[f]) {
        sum += v;
      }
      perFamily.put(tasks.get(f).name(), sum / perExample[f].length);
    }
    return new Score(Fitness.weighted(perFamily, tasks), perFamily);
  }

  /** Each example's mean response log-prob per token, by family (in scoring order). */
  public double[][] perExample(DecoderModel model) {
    TeacherForcedScorer scorer = new TeacherForcedScorer(model);
    int[] counts = new int[tasks.size()];
    sequences.forEach(s -> counts[s.family()]++);
    double[][] out = new double[tasks.size()][];
    for (int f = 0; f < tasks.size(); f++) {
      out[f] = new double[counts[f]];
    }
    int[] filled = new int[tasks.size()];
    List<int[]> tokens = sequences.stream().map(Sequence::tokens).toList();
    List<SequenceScores> scores = scorer.score(tokens, 0, batchSize);
    for (int i = 0; i < sequences.size(); i++) {
      Sequence s = sequences.get(i);
      int predicted = s.tokens().length - s.responseStart();
      out[s.family()][filled[s.family()]++] =
          scores.get(i).sumLogProb(s.responseStart()) / predicted;
    }
    return out;
  }
}
