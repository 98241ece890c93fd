package dev.amalgam.merge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.DTypeCodec;
import dev.amalgam.merge.recipe.RecipeParser;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeVerifierTest {
  @TempDir Path dir;
  private final List<Checkpoint> opened = new ArrayList<>();

  @AfterEach
  void closeCheckpoints() {
    opened.forEach(Checkpoint::close);
  }

  private Map<String, Checkpoint> inputs() throws Exception {
    Map<String, Checkpoint> in = new LinkedHashMap<>();
    long seed = 11;
    for (String name : List.of("base", "a", "b")) {
      Checkpoint c = Checkpoint.open(TinyModels.write(dir.resolve(name), "llama", 2, seed++));
      opened.add(c);
      in.put(name, c);
    }
    return in;
  }

  private static final String RECIPE =
      """
      merge_method: della
      base_model: base
      models:
        - model: a
          parameters: {weight: 1, density: 0.5, epsilon: 0.1}
        - model: b
          parameters: {weight: 1, density: 0.5, epsilon: 0.1}
      seed: 3
      """;

  @Test
  void recomputedMergeMatchesTheRecordedOutputId() throws Exception {
    Map<String, Checkpoint> in = inputs();
    MergeResult r =
        MergeExecutor.run(
            RecipeParser.parse(RECIPE, "della.yml"),
            in,
            dir.resolve("merged"),
            MergeExecutor.Options.defaults(2));
    assertThat(MergeVerifier.recordedInputs(r.directory())).containsExactly("base", "a", "b");
    assertThat(MergeVerifier.recordedRecipe(r.directory())).isEqualTo(RECIPE);
    MergeVerifier.Verification v = MergeVerifier.verify(r.directory(), in, 1);
    assertThat(v.matches()).isTrue();
    assertThat(v.recomputedId()).isEqualTo(r.outputId()).isEqualTo(v.actualId());
    assertThat(v.differingTensors()).isEmpty();
  }

  @Test
  void tamperedTensorIsReportedAsAMismatch() throws Exception {
    Map<String, Checkpoint> in = inputs();
    MergeResult r =
        MergeExecutor.run(
            RecipeParser.parse(RECIPE, "della.yml"),
            in,
            dir.resolve("merged"),
            MergeExecutor.Options.defaults(1));
    String victim = "model.norm.weight";
    long offset;
    try (Checkpoint out = Checkpoint.open(r.directory())) {
      offset = out.fileOf(victim).fileOffset(victim);
    }
    try (FileChannel ch =
        FileChannel.open(r.directory().resolve("model.safetensors"), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(DTypeCodec.encode(DType.F32, new float[] {42f})), offset);
    }
    MergeVerifier.Verification v = MergeVerifier.verify(r.directory(), in, 2);
    assertThat(v.matches()).isFalse();
    assertThat(v.recomputedId()).isEqualTo(v.recordedId()).isNotEqualTo(v.actualId());
    assertThat(v.differingTensors()).containsExactly(victim);
  }
}
