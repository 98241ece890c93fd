package dev.amalgam.merge.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DecoderConfigTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  @Test
  void readsTinyLlamaShapedConfig() throws Exception {
    DecoderConfig config =
        DecoderConfig.fromJson(
            json(
                "{'model_type':'llama','hidden_size':2048,'intermediate_size':5632,"
                    + "'num_hidden_layers':22,'num_attention_heads':32,'num_key_value_heads':4,"
                    + "'vocab_size':32000,'rms_norm_eps':1e-05,'rope_theta':10000.0,"
                    + "'rope_scaling':null,'tie_word_embeddings':false}"));
    assertThat(config)
        .isEqualTo(
            new DecoderConfig(
                "llama", 2048, 5632, 22, 32, 4, 64, 32000, 1e-5, 10000, null, false, false, false,
                false, 0));
  }

  @Test
  void qwen2HasProjectionBiasAndQwen3HasQueryKeyNorm() throws Exception {
    String common =
        "'hidden_size':64,'intermediate_size':128,'num_hidden_layers':2,"
            + "'num_attention_heads':4,'num_key_value_heads':2,'vocab_size':100,"
            + "'tie_word_embeddings':true";
    DecoderConfig qwen2 = DecoderConfig.fromJson(json("{'model_type':'qwen2'," + common + "}"));
    DecoderConfig qwen3 =
        DecoderConfig.fromJson(json("{'model_type':'qwen3','head_dim':32," + common + "}"));
    assertThat(qwen2.qkvBias()).isTrue();
    assertThat(qwen2.outputBias()).isFalse();
    assertThat(qwen2.qkNorm()).isFalse();
    assertThat(qwen2.tie()).isTrue();
    assertThat(qwen3.qkNorm()).isTrue();
    assertThat(qwen3.qkvBias()).isFalse();
    assertThat(qwen3.headDim()).isEqualTo(32);
  }

  @Test
  void readsLlama3RopeScaling() throws Exception {
    DecoderConfig config =
        DecoderConfig.fromJson(
            json(
                "{'model_type':'llama','hidden_size':64,'intermediate_size':128,"
                    + "'num_hidden_layers':2,'num_attention_heads':4,'vocab_size':100,"
                    + "'rope_theta':500000.0,'rope_scaling':{'rope_type':'llama3','factor':32.0,"
                    + "'low_freq_factor':1.0,'high_freq_factor':4.0,"
                    + "'original_max_position_embeddings':8192}}"));
    assertThat(config.ropeScaling()).isEqualTo(new RopeScaling("llama3", 32, 1, 4, 8192));
    assertThat(config.kvHeads()).isEqualTo(4);
  }

  @Test
  void writtenConfigReadsBackEqual() {
    DecoderConfig config = TinyModels.llama3Scaled();
    assertThat(DecoderConfig.fromJson(config.toJson())).isEqualTo(config);
    assertThat(DecoderConfig.fromJson(TinyModels.qwen2().toJson())).isEqualTo(TinyModels.qwen2());
    assertThat(DecoderConfig.fromJson(TinyModels.qwen3().toJson())).isEqualTo(TinyModels.qwen3());
  }

  @Test
  void readsMistralSlidingWindowAndRejectsQwenSlidingWindow() throws Exception {
    String common =
        "'hidden_size':64,'intermediate_size':128,'num_hidden_layers':2,"
            + "'num_attention_heads':4,'num_key_value_heads':2,'vocab_size':100";
    assertThat(
            DecoderConfig.fromJson(
                    json("{'model_type':'mistral','sliding_window':4096," + common + "}"))
                .slidingWindow())
        .isEqualTo(4096);
    assertThat(
            DecoderConfig.fromJson(
                    json("{'model_type':'mistral','sliding_window':null," + common + "}"))
                .slidingWindow())
        .isZero();
    assertThatThrownBy(
            () ->
                DecoderConfig.fromJson(
                    json("{'model_type':'qwen2','use_sliding_window':true," + common + "}")))
        .hasMessage("config.json: use_sliding_window=true is not supported for qwen2");
    assertThat(DecoderConfig.fromJson(TinyModels.mistralWindow3().toJson()))
        .isEqualTo(TinyModels.mistralWindow3());
  }

  @Test
  void rejectsUnsupportedModelTypeNamingIt() throws Exception {
    assertThatThrownBy(() -> DecoderConfig.fromJson(json("{'model_type':'gpt2'}")))
        .hasMessageStartingWith("config.json: model_type 'gpt2' is not a supported decoder");
  }

  @Test
  void rejectsMissingFieldNamingIt() throws Exception {
    assertThatThrownBy(
            () -> DecoderConfig.fromJson(json("{'model_type':'llama','hidden_size':'big'}")))
        .hasMessage("config.json: field 'hidden_size' missing or not an integer");
  }

  @Test
  void rejectsHeadsNotDivisibleByKvHeads() throws Exception {
    assertThatThrownBy(
            () ->
                DecoderConfig.fromJson(
                    json(
                        "{'model_type':'mistral','hidden_size':64,'intermediate_size':128,"
                            + "'num_hidden_layers':2,'num_attention_heads':6,"
                            + "'num_key_value_heads':4,'vocab_size':100}")))
        .hasMessage(
            "config.json: num_attention_heads 6 is not a multiple of num_key_value_heads 4");
  }
}
