package dev.amalgam.merge.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.amalgam.merge.method.MergeInput;
import dev.amalgam.merge.method.ResolvedParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Realistic recipes written in mergekit's documented syntax parse and resolve as documented. */
class RecipeExamplesTest {

  static final String TIES =
      """
      models:
        - model: ./models/llama2-13b-orca
          parameters:
            density: [1, 0.7, 0.1] # density gradient
            weight: 1.0
        - model: ./models/llama2-13b-platypus
          parameters:
            density: 0.5
            weight: [0, 0.3, 0.7, 1] # weight gradient
        - model: ./models/llama2-13b-wizardmath
          parameters:
            density: 0.33
            weight:
              - filter: mlp
                value: 0.5
              - value: 0
      merge_method: ties
      base_model: ./models/llama2-13b
      parameters:
        normalize: true
        int8_mask: true
      dtype: float16
      """;

  static final String SLERP =
      """
      slices:
        - sources:
            - model: ./models/mistral-7b-base
              layer_range: [0, 32]
            - model: ./models/mistral-7b-code
              layer_range: [0, 32]
      merge_method: slerp
      base_model: ./models/mistral-7b-base
      parameters:
        t:
          - filter: self_attn
            value: [0, 0.5, 0.3, 0.7, 1]
          - filter: mlp
            value: [1, 0.5, 0.7, 0.3, 0]
          - value: 0.5 # fallback for rest of tensors
      dtype: bfloat16
      """;

  static final String DARE =
      """
      merge_method: dare_ties
      base_model: mistralai/Mistral-7B-v0.1
      models:
        - model: mistralai/Mistral-7B-v0.1
          # no parameters necessary for base model
        - model: ./experts/math
          parameters:
            density: 0.53
            weight: 0.4
        - model: bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku
          parameters:
            density: 0.53
            weight: 0.3
      parameters:
        int8_mask: true
      dtype: bfloat16
      out_dtype: float16
      tokenizer:
        source: union
        pad_to_multiple_of: 64
        tokens:
          <|im_start|>:
            source: ./experts/math
      chat_template: chatml
      seed: 42
      """;

  static final String FRANKEN =
      """
      slices:
        - sources:
          - model: ./models/llama3-8b-instruct
            layer_range: [0, 24]
        - sources:
          - model: ./models/llama3-8b-hermes
            layer_range: [8, 32]
      merge_method: passthrough
      dtype: bfloat16
      tokenizer_source: ./models/llama3-8b-instruct
      """;

  @Test
  void parsesTiesRecipeWithPerModelGradientsAndFilters(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ties.yml");
    Files.writeString(file, TIES);
    Recipe recipe = RecipeParser.parse(file);
    assertThat(recipe.method().name()).isEqualTo("ties");
    assertThat(recipe.baseModel()).isEqualTo("./models/llama2-13b");
    assertThat(recipe.explicitSlices()).isFalse();
    assertThat(recipe.dtype()).isEqualTo("float16");
    assertThat(recipe.savedDtype()).isEqualTo("float16");
    assertThat(recipe.seed()).isZero();
    assertThat(recipe.referencedModels()).hasSize(4).first().isEqualTo("./models/llama2-13b");
    assertThat(recipe.text()).isEqualTo(TIES);

    RecipeSlice slice = recipe.slices().get(0);
    assertThat(slice.inputIndices(recipe.method())).containsExactly(0, 1, 2);
    ParameterResolver r = recipe.resolver(0);
    String mlp = "model.layers.20.mlp.down_proj.weight";
    String attn = "model.layers.20.self_attn.o_proj.weight";
    // 40 layers: layer 20 has t = 20/39.
    double t = 20.0 / 39;
    assertThat((double) r.resolve("density", 0, mlp, 20, 40).orElseThrow())
        .isCloseTo(0.7 + (2 * t - 1) * (0.1 - 0.7), within(1e-12));
    assertThat((double) r.resolve("weight", 1, mlp, 20, 40).orElseThrow())
        .isCloseTo(0.3 + (3 * t - 1) * (0.7 - 0.3), within(1e-12));
    assertThat(r.resolve("weight", 2, mlp, 20, 40)).contains(0.5);
    assertThat(r.resolve("weight", 2, attn, 20, 40)).contains(0.0);
    assertThat(r.resolve("normalize", -1, attn, 20, 40)).contains(true);
    assertThat(r.resolve("lambda", -1, attn, 20, 40)).isEmpty();

    ResolvedParameters p =
        r.resolveFor(recipe.method(), slice.inputIndices(recipe.method()), mlp, 20, 40);
    assertThat(p.forModel("weight", 2)).isEqualTo(0.5);
    assertThat(p.global("int8_mask")).isEqualTo(true);
    float[] out =
        recipe
            .method()
            .merge(
                new MergeInput(
                    mlp,
                    new long[] {6},
                    new float[6],
                    List.of(ones(6), ones(6), ones(6)),
                    p,
                    recipe.seed()));
    // Densities ~0.68, 0.5, 0.33 keep the first 4, 3 and 1 entries (equal magnitudes: lower index).
    assertThat(out).containsExactly(1f, 1f, 1f, 1f, 0f, 0f);
  }

  private static float[] ones(int n) {
    float[] out = new float[n];
    java.util.Arrays.fill(out, 1f);
    return out;
  }

  @Test
  void parsesSlerpRecipeWithFilteredTGradientsOverSlices() {
    Recipe recipe = RecipeParser.parse(SLERP, "slerp.yml");
    assertThat(recipe.explicitSlices()).isTrue();
    RecipeSlice slice = recipe.slices().get(0);
    assertThat(slice.layerCount()).isEqualTo(32);
    assertThat(slice.baseSourceIndex()).isZero();
    assertThat(slice.inputIndices(recipe.method())).containsExactly(1);
    ParameterResolver r = recipe.resolver(0);
    String attn = "model.layers.8.self_attn.q_proj.weight";
    String mlp = "model.layers.8.mlp.up_proj.weight";
    assertThat(r.resolve("t", -1, attn, 0, 32)).contains(0.0);
    assertThat(r.resolve("t", -1, attn, 31, 32)).contains(1.0);
    double s = 4 * 8.0 / 31; // between anchors 1 and 2
    assertThat((double) r.resolve("t", -1, attn, 8, 32).orElseThrow())
        .isCloseTo(0.5 + (s - 1) * (0.3 - 0.5), within(1e-12));
    assertThat((double) r.resolve("t", -1, mlp, 8, 32).orElseThrow())
        .isCloseTo(0.5 + (s - 1) * (0.7 - 0.5), within(1e-12));
    assertThat(r.resolve("t", -1, "model.embed_tokens.weight", null, 32)).contains(0.5);
    assertThat(r.resolve("t", -1, "model.norm.weight", null, 32)).contains(0.5);
  }

  @Test
  void parsesDareRecipeWithBaseAmongModelsTokenizerBlockAndSeed() {
    Recipe recipe = RecipeParser.parse(DARE, "dare.yml");
    RecipeSlice slice = recipe.slices().get(0);
    assertThat(slice.baseSourceIndex()).isZero();
    assertThat(slice.inputIndices(recipe.method())).containsExactly(1, 2);
    assertThat(slice.sources().get(2).model())
        .isEqualTo("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    assertThat(recipe.seed()).isEqualTo(42);
    assertThat(recipe.dtype()).isEqualTo("bfloat16");
    assertThat(recipe.savedDtype()).isEqualTo("float16");
    assertThat(recipe.chatTemplate()).isEqualTo("chatml");
    TokenizerSettings tok = recipe.tokenizer();
    assertThat(tok.isUnion()).isTrue();
    assertThat(tok.padToMultipleOf()).isEqualTo(64);
    assertThat(tok.tokens()).containsKey("<|im_start|>");
    ResolvedParameters p =
        recipe
            .resolver(0)
            .resolveFor(
                recipe.method(), slice.inputIndices(recipe.method()), "lm_head.weight", null, 32);
    assertThat(p.forModel("weight", 0)).isEqualTo(0.4);
    assertThat(p.forModel("weight", 1)).isEqualTo(0.3);
    assertThat(p.forModel("density", 1)).isEqualTo(0.53);
  }

  @Test
  void parsesPassthroughFrankenmergeWithHalfOpenLayerRanges() {
    Recipe recipe = RecipeParser.parse(FRANKEN, "franken.yml");
    assertThat(recipe.slices()).hasSize(2);
    assertThat(recipe.slices().get(0).sources().get(0).layerRange())
        .isEqualTo(new LayerRange(0, 24));
    assertThat(recipe.slices().get(1).sources().get(0).layerRange())
        .isEqualTo(new LayerRange(8, 32));
    assertThat(recipe.slices().stream().mapToInt(RecipeSlice::layerCount).sum()).isEqualTo(48);
    assertThat(recipe.tokenizer().model()).isEqualTo("./models/llama3-8b-instruct");
    assertThat(recipe.slices().get(0).inputIndices(recipe.method())).containsExactly(0);
  }

  @Test
  void parsesKarcherAndTaskArithmeticRecipesWithExponentAndIntegerValues() {
    Recipe karcher =
        RecipeParser.parse(
            """
            models:
              - model: "./models/finetune-a"
              - model: "./models/finetune-b"
            merge_method: karcher
            dtype: bfloat16
            parameters:
              max_iter: 10
              tol: 1e-5
            """,
            "karcher.yml");
    assertThat(karcher.resolver(0).resolve("tol", -1, "x", null, 1)).contains(1e-5);
    assertThat(karcher.resolver(0).resolve("max_iter", -1, "x", null, 1)).contains(10.0);

    Recipe ta =
        RecipeParser.parse(
            """
            models:
              - model: "./models/finetune-a"
                parameters:
                  weight: 1.0
              - model: "./models/finetune-b"
                parameters:
                  weight: 0.85
            base_model: "./models/base"
            merge_method: task_arithmetic
            dtype: bfloat16
            parameters:
              lambda: 1
            """,
            "ta.yml");
    assertThat(ta.resolver(0).resolve("lambda", -1, "x", null, 1)).contains(1.0);
    assertThat(ta.slices().get(0).inputIndices(ta.method())).containsExactly(0, 1);
  }
}
