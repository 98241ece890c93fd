package dev.amalgam.merge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeException;
import dev.amalgam.merge.recipe.RecipeParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyMergeTest {
  private static final List<String> BASE_VOCAB = List.of("a", "b", "c", "d", "e", "f", "g", "h");
  private static final List<String> X_VOCAB =
      List.of("h", "g", "f", "e", "d", "c", "b", "a", "new");

  @TempDir Path dir;
  private final List<Checkpoint> opened = new ArrayList<>();

  @AfterEach
  void closeCheckpoints() {
    opened.forEach(Checkpoint::close);
  }

  private Map<String, Checkpoint> inputs() throws Exception {
    Map<String, Checkpoint> in = new LinkedHashMap<>();
    in.put("base", open(TinyModels.writeWithVocabulary(dir.resolve("base"), 1, BASE_VOCAB)));
    in.put("x", open(TinyModels.writeWithVocabulary(dir.resolve("x"), 2, X_VOCAB)));
    return in;
  }

  private Checkpoint open(Path p) throws Exception {
    Checkpoint c = Checkpoint.open(p);
    opened.add(c);
    return c;
  }

  private static Recipe linear(String tokenizer) {
    return RecipeParser.parse(
        """
        merge_method: linear
        base_model: base
        models:
          - model: base
            parameters: {weight: 1}
          - model: x
            parameters: {weight: 1}
        %s
        """
            .formatted(tokenizer),
        "recipe.yml");
  }

  @Test
  void differentVocabulariesWithoutATokenizerSettingNameTheModelsAndTheFix() throws Exception {
    Map<String, Checkpoint> in = inputs();
    assertThatThrownBy(
            () ->
                MergeExecutor.run(
                    linear(""), in, dir.resolve("o"), MergeExecutor.Options.defaults(1)))
        .isInstanceOf(RecipeException.class)
        .hasMessageContaining("models 'base' and 'x' have different vocabularies")
        .hasMessageContaining("tokenizer_source: union");
  }

  @Test
  void unionTokenizerReindexesEmbeddingRowsBeforeMerging() throws Exception {
    Map<String, Checkpoint> in = inputs();
    MergeResult r =
        MergeExecutor.run(
            linear("tokenizer_source: union"),
            in,
            dir.resolve("o"),
            MergeExecutor.Options.defaults(2));
    Checkpoint out = open(r.directory());
    assertThat(out.config().orElseThrow().vocabSize()).isEqualTo(9);
    int w = TinyModels.HIDDEN;
    for (String name : List.of("model.embed_tokens.weight", "lm_head.weight")) {
      float[] base = in.get("base").readFloats(name);
      float[] x = in.get("x").readFloats(name);
      float[] merged = out.readFloats(name);
      assertThat(merged).hasSize(9 * w);
      for (int id = 0; id < 8; id++) {
        int xRow = X_VOCAB.indexOf(BASE_VOCAB.get(id));
        for (int k = 0; k < w; k++) {
          float expected = (float) (((double) base[id * w + k] + x[xRow * w + k]) / 2);
          assertThat(merged[id * w + k]).isEqualTo(expected);
        }
      }
      for (int k = 0; k < w; k++) {
        assertThat(merged[8 * w + k])
            .as("a token only x has is filled from x in every input")
            .isEqualTo(x[8 * w + k]);
      }
    }
    assertThat(Files.readString(r.directory().resolve("tokenizer.json")))
        .contains("\"content\" : \"new\"")
        .contains("\"id\" : 8");
  }

  @Test
  void baseTokenizerReindexesToTheBaseVocabulary() throws Exception {
    Map<String, Checkpoint> in = inputs();
    MergeResult r =
        MergeExecutor.run(
            linear("tokenizer_source: base"),
            in,
            dir.resolve("o"),
            MergeExecutor.Options.defaults(1));
    Checkpoint out = open(r.directory());
    assertThat(out.info("model.embed_tokens.weight").dim(0)).isEqualTo(8);
    float[] base = in.get("base").readFloats("model.embed_tokens.weight");
    float[] x = in.get("x").readFloats("model.embed_tokens.weight");
    float[] merged = out.readFloats("model.embed_tokens.weight");
    int w = TinyModels.HIDDEN;
    // token "a": base row 0, x row 7
    assertThat(merged[0]).isEqualTo((float) (((double) base[0] + x[7 * w]) / 2));
  }
}
