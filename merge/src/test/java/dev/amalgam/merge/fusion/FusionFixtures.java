package dev.amalgam.merge.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.eval.TaskJsonl;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderConfig;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.WeightInitializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Tiny random checkpoints with the zoo's two tokenizers, and small task data files. */
final class FusionFixtures {
  private FusionFixtures() {}

  static Path zooTokenizer(String family) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("zoo/tokenizers"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("zoo/tokenizers above the working directory").isNotNull();
    return dir.resolve("zoo/tokenizers").resolve(family).resolve("tokenizer.json");
  }

  /** A 1-layer random llama with the family's tokenizer (family-a: 161 ids, family-b: 262). */
  static Path tinyCheckpoint(Path dir, String family, int vocab, long seed) throws IOException {
    DecoderConfig config =
        new DecoderConfig(
            "llama", 16, 32, 1, 2, 2, 8, vocab, 1e-6, 10000, null, true, false, false, false, 0);
    try (DecoderModel model =
        DecoderModel.load(config, WeightInitializer.initialize(config, seed, 0.2))) {
      Path saved = DecoderCheckpoints.save(model, dir, DType.F32, List.of(zooTokenizer(family)));
      DecoderCheckpoints.recordSpecialTokens(saved, 1, 2);
      return saved;
    }
  }

  static Path data(Path file, int n, long seed) throws IOException {
    List<TaskExample> examples =
        TaskFamilies.generate(TaskFamilies.byName("composite"), Split.TRAIN, n, seed);
    TaskJsonl.write(file, examples);
    return file;
  }
}
