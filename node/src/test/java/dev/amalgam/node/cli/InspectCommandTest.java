package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  /** Written by examples/make_tiny_llama.py, not by Amalgam. */
  static final Path EXAMPLE = Path.of("..", "examples", "tiny-llama");

  @TempDir Path dir;

  @Test
  void describesTheBundledExampleCheckpoint() {
    CliRun run = CliRun.of("inspect", EXAMPLE.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("LlamaForCausalLM (llama): 2 layers, hidden 32")
        .contains("expert id     bagaaiera")
        .contains("parameters    21,664 in 21 tensors")
        .contains("BF16")
        .contains("model.layers.1.mlp.down_proj.weight");
  }

  @Test
  void jsonOutputAgreesWithFingerprint() throws Exception {
    CliRun inspect = CliRun.of("inspect", EXAMPLE.toString(), "--json");
    CliRun fingerprint = CliRun.of("fingerprint", EXAMPLE.toString());
    JsonNode json = JsonMapper.builder().build().readTree(inspect.out());
    assertThat(json.get("expert_id").asText()).isEqualTo(fingerprint.out().strip());
    assertThat(json.get("architecture").get("num_key_value_heads").asInt()).isEqualTo(2);
    assertThat(json.get("tensors")).hasSize(21);
    assertThat(json.get("dtypes").get("BF16").get("parameters").asLong()).isEqualTo(21664);
  }

  @Test
  void truncatedCheckpointFailsWithOneLineNamingTheFile() throws Exception {
    byte[] whole = Files.readAllBytes(EXAMPLE.resolve("model.safetensors"));
    Path cut = dir.resolve("model.safetensors");
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
    CliRun run = CliRun.of("inspect", cut.toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).contains(cut.toString()).contains("beyond the data region");
    assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void configWithoutRequiredKeysFailsWithOneLine() throws Exception {
    Files.copy(EXAMPLE.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2\"}");
    CliRun run = CliRun.of("fingerprint", dir.toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err())
        .contains("config.json: missing required key 'hidden_size' for model_type qwen2");
  }

  @Test
  void verboseAddsTheStackTrace() throws Exception {
    CliRun run = CliRun.of("inspect", "--verbose", dir.toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err()).contains("contains no .safetensors file").contains("\tat ");
  }
}
