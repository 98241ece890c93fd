package dev.amalgam.merge.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.runtime.CausalLmTrainer;
import dev.amalgam.merge.runtime.DecoderConfig;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.TrainingConfig;
import dev.amalgam.merge.runtime.TrainingExample;
import dev.amalgam.merge.runtime.WeightInitializer;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModelEvaluatorTest {

  private static TextTokenizer tokenizer;

  @BeforeAll
  static void load() throws Exception {
    tokenizer =
        TextTokenizer.load(
            Path.of(ModelEvaluatorTest.class.getResource("/tokenizer/tokenizer.json").toURI()));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static final List<TaskExample> EXAMPLES =
      List.of(
          new TaskExample("What is 1 + 2?", "Answer: 3", "3"),
          new TaskExample("What is 4 + 4?", "Answer: 8", "8"),
          new TaskExample("Who is the parent?", "Answer: Ann", "Ann"),
          new TaskExample("What is 9 - 5?", "Answer: 4", "4"));

  @Test
  void encodesPromptWithBosAndResponseWithEos() {
    TaskEncoding encoding = TaskEncoding.of(tokenizer);
    TaskExample example = EXAMPLES.get(0);
    assertThat(encoding.prompt(example)[0]).isEqualTo(1);
    assertThat(tokenizer.decode(encoding.prompt(example), true)).isEqualTo("What is 1 + 2?\n");
    int[] response = encoding.response(example);
    assertThat(response[response.length - 1]).isEqualTo(2);
    assertThat(encoding.decodeResponse(response)).isEqualTo("Answer: 3");
    TrainingExample training = encoding.training(example);
    assertThat(training.lossMask()[encoding.prompt(example).length - 1]).isFalse();
    assertThat(training.lossMask()[encoding.prompt(example).length]).isTrue();
  }

  @Test
  void aModelTrainedOnTheExamplesAnswersThemAllAndAnUntrainedOneDoesNot() {
    TaskEncoding encoding = TaskEncoding.of(tokenizer);
    DecoderConfig config =
        DecoderConfig.llama(32, 64, 1, 4, 2, tokenizer.vocabularySize(), 10000, true);
    List<TrainingExample> batch = EXAMPLES.stream().map(encoding::training).toList();
    try (DecoderModel model =
            DecoderModel.load(config, WeightInitializer.initialize(config, 3, 0.02));
        CausalLmTrainer trainer =
            new CausalLmTrainer(model, TrainingConfig.defaults(1e-2, 5, 60))) {
      ModelEvaluator evaluator = new ModelEvaluator(model, encoding, 12, 3);
      assertThat(evaluator.evaluate(EXAMPLES).correct()).isZero();
      for (int step = 0; step < 60; step++) {
        trainer.step(batch);
      }
      assertThat(evaluator.complete(EXAMPLES))
          .containsExactly("Answer: 3", "Answer: 8", "Answer: Ann", "Answer: 4");
      Accuracy accuracy = evaluator.evaluate(EXAMPLES);
      assertThat(accuracy.correct()).isEqualTo(4);
      assertThat(accuracy.low()).isGreaterThan(0.5);
    }
  }
}
