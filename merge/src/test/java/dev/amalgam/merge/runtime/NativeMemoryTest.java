package dev.amalgam.merge.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

  @Test
  void scoringGenerationAndTrainingLeaveNoArraysBehind() {
    DecoderConfig config = TinyModels.qwen2();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 1))) {
      int parameters = WeightNames.names(config).size();
      assertThat(model.manager().getManagedArrays()).hasSize(parameters);
      List<int[]> sequences = List.of(new int[] {1, 2, 3, 4}, new int[] {5, 6});
      for (int i = 0; i < 3; i++) {
        new TeacherForcedScorer(model).score(sequences, 2);
        new GreedyGenerator(model).generate(sequences, 5, -1);
        model.setWeight(WeightNames.FINAL_NORM, model.floats(WeightNames.FINAL_NORM));
      }
      assertThat(model.manager().getManagedArrays()).hasSize(parameters);
      try (CausalLmTrainer trainer =
          new CausalLmTrainer(model, TrainingConfig.defaults(1e-3, 1, 3))) {
        for (int i = 0; i < 3; i++) {
          trainer.step(List.of(TrainingExample.promptResponse(new int[] {1, 2}, new int[] {3, 4})));
        }
        assertThat(model.manager().getManagedArrays()).hasSize(3 * parameters);
      }
      assertThat(model.manager().getManagedArrays()).hasSize(parameters);
    }
  }
}
