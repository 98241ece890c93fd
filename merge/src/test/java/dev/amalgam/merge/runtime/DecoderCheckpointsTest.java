package dev.amalgam.merge.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderCheckpointsTest {

  @TempDir Path dir;

  private static final int[] TOKENS = {1, 5, 9, 2, 7};

  @Test
  void savedCheckpointLoadsBackWithIdenticalLogits() throws Exception {
    DecoderConfig config = TinyModels.qwen3();
    Path tokenizer =
        Path.of(DecoderCheckpointsTest.class.getResource("/tokenizer/tokenizer.json").toURI());
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 12))) {
      Path saved =
          DecoderCheckpoints.save(model, dir.resolve("expert"), DType.F32, List.of(tokenizer));
      assertThat(saved.resolve("model.safetensors")).exists();
      assertThat(saved.resolve("tokenizer.json")).exists();
      assertThat(Files.readString(saved.resolve("config.json")))
          .contains("\"Qwen3ForCausalLM\"", "\"torch_dtype\" : \"float32\"");
      try (DecoderModel loaded = DecoderCheckpoints.load(saved)) {
        assertThat(loaded.config()).isEqualTo(config);
        for (int t = 0; t < TOKENS.length; t++) {
          assertThat(TinyModels.logits(loaded, TOKENS)[t])
              .containsExactly(TinyModels.logits(model, TOKENS)[t]);
        }
      }
    }
  }

  @Test
  void bfloat16CheckpointIsDecodedInJavaAndMatchesTheReference() throws Exception {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 13))) {
      Path saved = DecoderCheckpoints.save(model, dir.resolve("bf16"), DType.BF16, List.of());
      try (Checkpoint checkpoint = Checkpoint.open(saved);
          DecoderModel loaded = DecoderCheckpoints.load(saved)) {
        assertThat(checkpoint.info(WeightNames.EMBED).dtype()).isEqualTo(DType.BF16);
        double[][] expected =
            new ReferenceDecoder(config, new CheckpointWeights(checkpoint)).logits(TOKENS);
        float[][] actual = TinyModels.logits(loaded, TOKENS);
        for (int t = 0; t < TOKENS.length; t++) {
          for (int v = 0; v < config.vocab(); v++) {
            assertThat((double) actual[t][v]).isCloseTo(expected[t][v], within(2e-4));
          }
        }
      }
    }
  }

  @Test
  void loadingACheckpointWithAMissingTensorNamesDirectoryAndTensor() throws Exception {
    DecoderConfig config = TinyModels.tiedLlama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 1))) {
      Path saved = DecoderCheckpoints.save(model, dir.resolve("tied"), DType.F32, List.of());
      String json = Files.readString(saved.resolve("config.json"));
      Files.writeString(
          saved.resolve("config.json"),
          json.replace("\"tie_word_embeddings\" : true", "\"tie_word_embeddings\" : false"));
      assertThatThrownBy(() -> DecoderCheckpoints.load(saved))
          .isInstanceOf(CheckpointException.class)
          .hasMessage(saved + ": weights: missing tensor lm_head.weight");
    }
  }

  @Test
  void loadingACheckpointWithoutConfigSaysSo() throws Exception {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 1))) {
      Path saved = DecoderCheckpoints.save(model, dir.resolve("noconfig"), DType.F32, List.of());
      Files.delete(saved.resolve("config.json"));
      assertThatThrownBy(() -> DecoderCheckpoints.load(saved))
          .hasMessage(saved + ": no config.json");
    }
  }
}
