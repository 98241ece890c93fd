package dev.amalgam.merge.search;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderConfig;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.MapWeightSource;
import dev.amalgam.merge.runtime.WeightInitializer;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Tiny random Llama checkpoints with the zoo's family-A tokenizer: a base and two "experts" (the
 * base plus small random deltas), written as real checkpoint directories.
 */
final class SearchFixtures {
  static final int LAYERS = 4;

  private SearchFixtures() {}

  static Path tokenizer() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("zoo/tokenizers"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("zoo/tokenizers not found above the working directory");
    }
    return dir.resolve("zoo/tokenizers/family-a/tokenizer.json");
  }

  static DecoderConfig config(int hidden) {
    return DecoderConfig.llama(hidden, 2 * hidden, LAYERS, 2, 2, 161, 10000, true);
  }

  /** Writes base, expert-a and expert-b under dir; returns dir. */
  static Path models(Path dir) throws IOException {
    DecoderConfig config = config(16);
    MapWeightSource base = WeightInitializer.initialize(config, 7, 0.3);
    write(dir.resolve("base"), config, base);
    write(dir.resolve("expert-a"), config, perturbed(base, 11));
    write(dir.resolve("expert-b"), config, perturbed(base, 12));
    return dir;
  }

  /** A model of another width (not weight-mergeable with the others). */
  static Path wideModel(Path dir) throws IOException {
    DecoderConfig config = config(24);
    write(dir, config, WeightInitializer.initialize(config, 9, 0.3));
    return dir;
  }

  private static MapWeightSource perturbed(MapWeightSource base, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    MapWeightSource out = new MapWeightSource();
    for (String name : base.names()) {
      float[] v = base.floats(name).clone();
      for (int i = 0; i < v.length; i++) {
        v[i] += (float) (0.1 * (random.nextDouble() - 0.5));
      }
      out.put(name, base.shape(name), v);
    }
    return out;
  }

  private static void write(Path dir, DecoderConfig config, MapWeightSource weights)
      throws IOException {
    try (DecoderModel model = DecoderModel.load(config, weights)) {
      DecoderCheckpoints.save(model, dir, DType.F32, List.of(tokenizer()));
    }
  }

  static final String SLERP =
      """
      merge_method: slerp
      base_model: base
      models:
        - model: base
        - model: expert-a
      parameters: {t: 0.3}
      """;

  static String recipe(String method, String extra) {
    return """
        merge_method: %s
        base_model: base
        models:
          - model: expert-a
            parameters: {weight: 0.5}
          - model: expert-b
            parameters: {weight: 0.5}
        %s
        """
        .formatted(method, extra);
  }

  /** Opens base, expert-a and expert-b (keyed by those names). */
  static Map<String, Checkpoint> open(Path dir) throws IOException {
    Map<String, Checkpoint> out = new LinkedHashMap<>();
    for (String name : List.of("base", "expert-a", "expert-b")) {
      out.put(name, Checkpoint.open(dir.resolve(name)));
    }
    return out;
  }

  static TaskEncoding encoding(TextTokenizer tokenizer) {
    return TaskEncoding.of(tokenizer);
  }
}
