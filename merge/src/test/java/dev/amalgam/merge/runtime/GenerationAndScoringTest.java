package dev.amalgam.merge.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationAndScoringTest {

  @Test
  void kvCacheGenerationEqualsFullRecomputation() {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 11))) {
      List<int[]> prompts =
          List.of(new int[] {4, 2, 9}, new int[] {1, 7, 7, 3, 12, 5}, new int[] {8});
      List<int[]> cached = new GreedyGenerator(model).generate(prompts, 10, -1);
      for (int i = 0; i < prompts.size(); i++) {
        assertThat(cached.get(i))
            .as("prompt %d", i)
            .containsExactly(recompute(model, prompts.get(i), 10));
      }
    }
  }

  @Test
  void kvCacheGenerationHonoursTheSlidingWindow() {
    DecoderConfig config = TinyModels.mistralWindow3();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 6))) {
      int[] prompt = {4, 2, 9, 1, 1};
      assertThat(new GreedyGenerator(model).generate(List.of(prompt), 8, -1).get(0))
          .containsExactly(recompute(model, prompt, 8));
    }
  }

  @Test
  void generationStopsAfterTheStopToken() {
    DecoderConfig config = TinyModels.qwen3();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 2))) {
      int[] prompt = {3, 1, 4, 1, 5};
      int[] free = recompute(model, prompt, 6);
      int stop = free[2];
      int[] stopped = new GreedyGenerator(model).generate(List.of(prompt), 6, stop).get(0);
      int firstStop = 0;
      while (free[firstStop] != stop) {
        firstStop++;
      }
      assertThat(stopped).containsExactly(Arrays.copyOf(free, firstStop + 1));
    }
  }

  private static int[] recompute(DecoderModel model, int[] prompt, int count) {
    List<Integer> sequence = new ArrayList<>();
    for (int token : prompt) {
      sequence.add(token);
    }
    int[] generated = new int[count];
    for (int i = 0; i < count; i++) {
      int[] tokens = sequence.stream().mapToInt(Integer::intValue).toArray();
      float[][] logits = TinyModels.logits(model, tokens);
      generated[i] = TinyModels.argmax(logits[tokens.length - 1]);
      sequence.add(generated[i]);
    }
    return generated;
  }

  @Test
  void paddingNeverChangesTheScoresOfRealTokens() {
    DecoderConfig config = TinyModels.qwen2();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 9))) {
      TeacherForcedScorer scorer = new TeacherForcedScorer(model);
      int[] shortSequence = {5, 3, 8};
      int[] longSequence = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
      SequenceScores alone = scorer.score(List.of(shortSequence), 4).get(0);
      List<SequenceScores> batched = scorer.score(List.of(longSequence, shortSequence), 4);
      SequenceScores padded = batched.get(1);
      for (int t = 1; t < shortSequence.length; t++) {
        assertThat(padded.logProbs()[t]).isCloseTo(alone.logProbs()[t], within(1e-5f));
        assertThat(padded.topIds()[t]).containsExactly(alone.topIds()[t]);
      }
      SequenceScores longAlone = scorer.score(List.of(longSequence), 4).get(0);
      for (int t = 1; t < longSequence.length; t++) {
        assertThat(batched.get(0).logProbs()[t]).isCloseTo(longAlone.logProbs()[t], within(1e-5f));
      }
    }
  }

  @Test
  void batchSizeDoesNotChangeScores() {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 10))) {
      List<int[]> sequences =
          List.of(
              new int[] {1, 2, 3},
              new int[] {4, 5, 6, 7, 8},
              new int[] {9, 10},
              new int[] {11, 12, 0, 1},
              new int[] {2, 2, 2, 2, 2, 2});
      TeacherForcedScorer scorer = new TeacherForcedScorer(model);
      List<SequenceScores> together = scorer.score(sequences, 2, 8);
      List<SequenceScores> inPairs = scorer.score(sequences, 2, 2);
      assertThat(inPairs).hasSize(5);
      for (int i = 0; i < sequences.size(); i++) {
        assertThat(inPairs.get(i).tokens()).containsExactly(sequences.get(i));
        for (int t = 1; t < sequences.get(i).length; t++) {
          assertThat(inPairs.get(i).logProbs()[t])
              .isCloseTo(together.get(i).logProbs()[t], within(1e-5f));
        }
      }
    }
  }

  @Test
  void leftPaddedGenerationMatchesUnpaddedGeneration() {
    DecoderConfig config = TinyModels.tiedLlama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 4))) {
      GreedyGenerator generator = new GreedyGenerator(model);
      int[] shortPrompt = {6, 2};
      int[] alone = generator.generate(List.of(shortPrompt), 7, -1).get(0);
      int[] batched =
          generator.generate(List.of(new int[] {1, 1, 2, 3, 5, 8, 12}, shortPrompt), 7, -1).get(1);
      assertThat(batched).containsExactly(alone);
    }
  }

  @Test
  void scoresAreLogSoftmaxOfTheReferenceLogitsWithSortedTopK() {
    DecoderConfig config = TinyModels.llama();
    MapWeightSource weights = TinyModels.randomWeights(config, 21);
    int[] tokens = {2, 11, 4, 4, 0};
    double[][] logits = new ReferenceDecoder(config, weights).logits(tokens);
    try (DecoderModel model = DecoderModel.load(config, weights)) {
      SequenceScores scores = new TeacherForcedScorer(model).score(List.of(tokens), 3).get(0);
      assertThat(scores.logProbs()[0]).isNaN();
      assertThat(scores.topIds()[0]).isEmpty();
      for (int t = 1; t < tokens.length; t++) {
        double[] row = logits[t - 1];
        double max = Arrays.stream(row).max().orElseThrow();
        double logSum = max + Math.log(Arrays.stream(row).map(v -> Math.exp(v - max)).sum());
        assertThat((double) scores.logProbs()[t]).isCloseTo(row[tokens[t]] - logSum, within(1e-4));
        Integer[] order = new Integer[row.length];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(row[b], row[a]));
        for (int k = 0; k < 3; k++) {
          assertThat(scores.topIds()[t][k]).isEqualTo(order[k]);
          assertThat((double) scores.topLogProbs()[t][k])
              .isCloseTo(row[order[k]] - logSum, within(1e-4));
        }
      }
    }
  }
}
