package dev.amalgam.merge.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausalLmTrainerTest {

  private static final List<TrainingExample> BATCH =
      List.of(
          TrainingExample.promptResponse(new int[] {1, 2, 3}, new int[] {4, 5, 6, 7}),
          TrainingExample.promptResponse(new int[] {8, 9}, new int[] {10, 11, 12}),
          TrainingExample.promptResponse(new int[] {3, 2, 1, 0}, new int[] {9, 9}));

  @Test
  void aFewStepsReduceTheMaskedLoss() {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model =
            DecoderModel.load(config, WeightInitializer.initialize(config, 7, 0.02));
        CausalLmTrainer trainer =
            new CausalLmTrainer(model, TrainingConfig.defaults(3e-2, 2, 15))) {
      double initial = trainer.loss(BATCH);
      assertThat(initial).isCloseTo(Math.log(config.vocab()), within(0.1));
      StepResult last = null;
      for (int i = 0; i < 15; i++) {
        last = trainer.step(BATCH);
      }
      assertThat(last.step()).isEqualTo(14);
      assertThat(last.gradientNorm()).isPositive();
      assertThat(trainer.loss(BATCH)).isLessThan(initial * 0.5);
    }
  }

  @Test
  void aStepWithANonFiniteLossIsSkippedAndFiveInARowStopTheTraining() {
    DecoderConfig config = TinyModels.llama();
    MapWeightSource weights = WeightInitializer.initialize(config, 7, 0.02);
    float[] embeddings = weights.floats("model.embed_tokens.weight");
    Arrays.fill(embeddings, 0, config.hidden(), Float.NaN); // token 0 is only in the last example
    weights.put(
        "model.embed_tokens.weight", weights.shape("model.embed_tokens.weight"), embeddings);
    List<TrainingExample> clean = BATCH.subList(0, 1); // one sequence: no padding (id 0) either
    try (DecoderModel model = DecoderModel.load(config, weights);
        CausalLmTrainer trainer =
            new CausalLmTrainer(model, TrainingConfig.defaults(3e-2, 2, 15))) {
      float[] before = model.parameters().get("model.norm.weight").toFloatArray();
      StepResult skipped = trainer.step(BATCH);
      assertThat(skipped.applied()).isFalse();
      assertThat(skipped.loss()).isNaN();
      assertThat(model.parameters().get("model.norm.weight").toFloatArray()).isEqualTo(before);
      StepResult applied = trainer.step(clean);
      assertThat(applied.applied()).as(applied.toString()).isTrue();
      assertThat(applied.step()).isEqualTo(1);
      assertThat(model.parameters().get("model.norm.weight").toFloatArray()).isNotEqualTo(before);
      for (int i = 0; i < 4; i++) {
        assertThat(trainer.step(BATCH).applied()).isFalse();
      }
      assertThatThrownBy(() -> trainer.step(BATCH))
          .isInstanceOf(TrainingDivergedException.class)
          .hasMessageStartingWith("training diverged at step 7: loss NaN")
          .hasMessageContaining("5 steps in a row were not finite");
    }
  }

  @Test
  void promptTokensCarryNoLoss() {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 3));
        CausalLmTrainer trainer =
            new CausalLmTrainer(model, TrainingConfig.defaults(1e-3, 1, 10))) {
      double loss =
          trainer.loss(
              List.of(TrainingExample.promptResponse(new int[] {1, 2, 3}, new int[] {4, 5})));
      double changedPrompt =
          trainer.loss(
              List.of(
                  new TrainingExample(
                      new int[] {1, 2, 3, 4, 5}, new boolean[] {true, true, false, true, true})));
      SequenceScores scores =
          new TeacherForcedScorer(model).score(List.of(new int[] {1, 2, 3, 4, 5}), 0).get(0);
      assertThat(loss).isCloseTo(-(scores.logProbs()[3] + scores.logProbs()[4]) / 2, within(1e-5));
      assertThat(changedPrompt)
          .isCloseTo(
              -(scores.logProbs()[1] + scores.logProbs()[3] + scores.logProbs()[4]) / 3,
              within(1e-5));
    }
  }

  @Test
  void trainedWeightsExportAndReloadWithTheSameScores() {
    DecoderConfig config = TinyModels.qwen3();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 8));
        CausalLmTrainer trainer = new CausalLmTrainer(model, TrainingConfig.defaults(1e-2, 1, 5))) {
      float[] before = model.floats("model.layers.0.mlp.up_proj.weight");
      for (int i = 0; i < 3; i++) {
        trainer.step(BATCH);
      }
      MapWeightSource exported = new MapWeightSource();
      model
          .exportWeights()
          .forEach((name, values) -> exported.put(name, model.shape(name), values));
      assertThat(exported.floats("model.layers.0.mlp.up_proj.weight")).isNotEqualTo(before);
      try (DecoderModel reloaded = DecoderModel.load(config, exported)) {
        int[] tokens = {1, 2, 3, 4, 5, 6};
        assertThat(TinyModels.logits(reloaded, tokens)[5])
            .containsExactly(TinyModels.logits(model, tokens)[5]);
      }
    }
  }

  @Test
  void trainsAndScoresOnThreadsOtherThanTheOneThatStartedTheEngine() throws Exception {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 4));
        CausalLmTrainer trainer = new CausalLmTrainer(model, TrainingConfig.defaults(1e-2, 1, 4))) {
      double before = trainer.loss(BATCH);
      Throwable[] failure = new Throwable[1];
      Thread worker =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < 4; i++) {
                        trainer.step(BATCH);
                      }
                      new TeacherForcedScorer(model).score(List.of(new int[] {1, 2, 3}), 2);
                    } catch (Throwable t) {
                      failure[0] = t;
                    }
                  });
      worker.join();
      assertThat(failure[0]).isNull();
      assertThat(trainer.loss(BATCH)).isLessThan(before);
    }
  }

  @Test
  void microBatchesOfNeighbouringLengthsGiveTheSameStepsAsTheWholeBatch() {
    DecoderConfig config = TinyModels.llama();
    List<DistillationExample> soft = withSoftTargets(3);
    float[][] after = new float[3][];
    double[] firstLoss = new double[3];
    for (int microBatches = 1; microBatches <= 3; microBatches++) {
      try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 9));
          CausalLmTrainer trainer =
              new CausalLmTrainer(model, TrainingConfig.defaults(1e-2, 1, 5), microBatches)) {
        firstLoss[microBatches - 1] = trainer.step(BATCH).loss();
        trainer.step(soft, 0.5);
        after[microBatches - 1] = model.floats("model.layers.1.self_attn.q_proj.weight");
      }
    }
    assertThat(firstLoss[1]).isCloseTo(firstLoss[0], within(1e-5));
    assertThat(firstLoss[2]).isCloseTo(firstLoss[0], within(1e-5));
    assertThat(after[0])
        .isNotEqualTo(
            TinyModels.randomWeights(config, 9).floats("model.layers.1.self_attn.q_proj.weight"));
    for (int i = 0; i < after[0].length; i++) {
      assertThat(after[1][i]).isCloseTo(after[0][i], within(1e-6f));
      assertThat(after[2][i]).isCloseTo(after[0][i], within(1e-6f));
    }
  }

  @Test
  void refusesZeroMicroBatches() {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 9))) {
      assertThatThrownBy(() -> new CausalLmTrainer(model, TrainingConfig.defaults(1e-2, 1, 5), 0))
          .hasMessage("training: micro-batches per step must be 1 or more, got 0");
    }
  }

  @Test
  void scheduleWarmsUpLinearlyThenDecaysByCosineToTheMinimum() {
    TrainingConfig config = new TrainingConfig(1.0, 0.1, 4, 14, 0, 0.9, 0.95, 1e-8, 1);
    assertThat(config.learningRateAt(0)).isEqualTo(0.25);
    assertThat(config.learningRateAt(3)).isEqualTo(1.0);
    assertThat(config.learningRateAt(4)).isEqualTo(1.0);
    assertThat(config.learningRateAt(9)).isCloseTo(0.55, within(1e-12));
    assertThat(config.learningRateAt(14)).isCloseTo(0.1, within(1e-12));
  }

  private static List<DistillationExample> withSoftTargets(int softId) {
    return BATCH.stream()
        .map(
            e -> {
              int n = e.tokens().length;
              int[][] ids = new int[n][];
              float[][] probs = new float[n][];
              for (int t = 0; t < n; t++) {
                boolean loss = e.lossMask()[t];
                ids[t] = loss ? new int[] {softId < 0 ? e.tokens()[t] : softId} : new int[0];
                probs[t] = loss ? new float[] {1f} : new float[0];
              }
              return new DistillationExample(e, ids, probs);
            })
        .toList();
  }

  @Test
  void distillationWithOneHotGoldTargetsEqualsTheMaskedLossForAnyLambda() {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 5));
        CausalLmTrainer trainer = new CausalLmTrainer(model, TrainingConfig.defaults(1e-2, 1, 5))) {
      double plain = trainer.loss(BATCH);
      List<DistillationExample> gold = withSoftTargets(-1);
      assertThat(trainer.loss(gold, 0.9)).isCloseTo(plain, within(1e-4));
      assertThat(trainer.loss(gold, 0.0)).isCloseTo(plain, within(1e-4));
      assertThat(trainer.loss(withSoftTargets(3), 1.0)).isCloseTo(plain, within(1e-4));
    }
  }

  @Test
  void softTargetsPullPredictionsTowardsThemWhenLambdaIsZero() {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model =
            DecoderModel.load(config, WeightInitializer.initialize(config, 7, 0.02));
        CausalLmTrainer trainer =
            new CausalLmTrainer(model, TrainingConfig.defaults(3e-2, 2, 15))) {
      List<DistillationExample> soft = withSoftTargets(3);
      double initial = trainer.loss(soft, 0.0);
      for (int i = 0; i < 15; i++) {
        trainer.step(soft, 0.0);
      }
      assertThat(trainer.loss(soft, 0.0)).isLessThan(initial * 0.5);
      assertThat(trainer.loss(BATCH)).isGreaterThan(initial);
    }
  }

  @Test
  void rejectsADistillationExampleWithoutSoftTargetAtALossPosition() {
    TrainingExample e = BATCH.getFirst();
    int n = e.tokens().length;
    int[][] ids = new int[n][0];
    float[][] probs = new float[n][0];
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DistillationExample(e, ids, probs))
        .hasMessageContaining("loss position 3 has no soft target");
  }
}
