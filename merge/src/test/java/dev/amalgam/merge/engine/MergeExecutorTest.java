package dev.amalgam.merge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.method.MergeException;
import dev.amalgam.merge.method.MergeInput;
import dev.amalgam.merge.method.MergeMethods;
import dev.amalgam.merge.method.ResolvedParameters;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeException;
import dev.amalgam.merge.recipe.RecipeParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeExecutorTest {
  @TempDir Path dir;
  private final List<Checkpoint> opened = new ArrayList<>();

  @AfterEach
  void closeCheckpoints() {
    opened.forEach(Checkpoint::close);
  }

  private Checkpoint open(Path p) throws Exception {
    Checkpoint c = Checkpoint.open(p);
    opened.add(c);
    return c;
  }

  private Map<String, Checkpoint> models(String... names) throws Exception {
    Map<String, Checkpoint> out = new LinkedHashMap<>();
    long seed = 1;
    for (String name : names) {
      out.put(name, open(TinyModels.write(dir.resolve(name), "llama", 2, seed++)));
    }
    return out;
  }

  private static final String TIES =
      """
      merge_method: ties
      base_model: base
      models:
        - model: a
          parameters: {weight: 0.7, density: 0.5}
        - model: b
          parameters:
            weight: [0.2, 1.0]
            density: 0.8
      parameters:
        normalize: true
      seed: 9
      """;

  @Test
  void writesEveryTensorAsTheMethodComputesItWithConfigTokenizerAndProvenance() throws Exception {
    Map<String, Checkpoint> in = models("base", "a", "b");
    Recipe recipe = RecipeParser.parse(TIES, "ties.yml");
    MergeResult result =
        MergeExecutor.run(recipe, in, dir.resolve("out"), MergeExecutor.Options.defaults(2));
    Checkpoint out = open(result.directory());
    assertThat(out.tensorNames()).isEqualTo(in.get("base").tensorNames());
    for (String name : out.tensorNames()) {
      Integer layer = LayerNames.layerOf(name);
      ResolvedParameters p =
          recipe.resolver(0).resolveFor(recipe.method(), List.of(0, 1), name, layer, 2);
      float[] expected =
          MergeMethods.byName("ties")
              .orElseThrow()
              .merge(
                  new MergeInput(
                      name,
                      out.info(name).shape(),
                      in.get("base").readFloats(name),
                      List.of(in.get("a").readFloats(name), in.get("b").readFloats(name)),
                      p,
                      9));
      assertThat(out.readFloats(name)).as(name).isEqualTo(expected);
    }
    assertThat(out.config().orElseThrow().numHiddenLayers()).isEqualTo(2);
    assertThat(Files.readString(result.directory().resolve("tokenizer_config.json")))
        .contains("\"from\": \"base\"");
    String provenance = Files.readString(result.directory().resolve("amalgam-merge.json"));
    assertThat(provenance)
        .contains("\"merge_method\" : \"ties\"")
        .contains("\"output_id\" : \"" + result.outputId() + "\"")
        .contains("model.layers.1.mlp.up_proj.weight");
    assertThat(result.outputId()).startsWith("b");
  }

  @Test
  void outputIsByteIdenticalWithOneTwoOrEightThreads() throws Exception {
    Map<String, Checkpoint> in = models("base", "a", "b");
    Recipe recipe =
        RecipeParser.parse(
            """
            merge_method: dare_ties
            base_model: base
            models:
              - model: a
                parameters: {weight: 0.5, density: 0.4}
              - model: b
                parameters: {weight: 0.5, density: 0.6}
            seed: 1234
            """,
            "dare.yml");
    List<String> ids = new ArrayList<>();
    Map<String, float[]> first = null;
    for (int threads : new int[] {1, 2, 8}) {
      MergeExecutor.Options options =
          new MergeExecutor.Options(threads, 300, false, MergeProgress.NONE, Map.of(), true);
      MergeResult r = MergeExecutor.run(recipe, in, dir.resolve("out" + threads), options);
      ids.add(r.outputId());
      Checkpoint out = open(r.directory());
      assertThat(out.files()).hasSizeGreaterThan(1);
      Map<String, float[]> values = new HashMap<>();
      for (String name : out.tensorNames()) {
        values.put(name, out.readFloats(name));
      }
      if (first == null) {
        first = values;
      } else {
        for (String name : values.keySet()) {
          assertThat(values.get(name)).as(name).isEqualTo(first.get(name));
        }
      }
    }
    assertThat(ids).doesNotContainNull().containsOnly(ids.get(0));
  }

  @Test
  void passthroughSlicesStackLayersAndCountThem() throws Exception {
    Map<String, Checkpoint> in = models("a", "b");
    Recipe recipe =
        RecipeParser.parse(
            """
            slices:
              - sources:
                  - model: a
                    layer_range: [0, 2]
              - sources:
                  - model: b
                    layer_range: [1, 2]
            merge_method: passthrough
            out_dtype: bfloat16
            """,
            "franken.yml");
    MergeResult r =
        MergeExecutor.run(recipe, in, dir.resolve("franken"), MergeExecutor.Options.defaults(2));
    Checkpoint out = open(r.directory());
    assertThat(out.config().orElseThrow().numHiddenLayers()).isEqualTo(3);
    assertThat(out.info("model.layers.2.mlp.up_proj.weight").dtype()).isEqualTo(DType.BF16);
    assertThat(out.readFloats("model.layers.2.mlp.up_proj.weight"))
        .isEqualTo(bf16(in.get("b").readFloats("model.layers.1.mlp.up_proj.weight")));
    assertThat(out.readFloats("model.layers.1.mlp.up_proj.weight"))
        .isEqualTo(bf16(in.get("a").readFloats("model.layers.1.mlp.up_proj.weight")));
    assertThat(out.readFloats("model.embed_tokens.weight"))
        .isEqualTo(bf16(in.get("a").readFloats("model.embed_tokens.weight")));
    assertThat(out.readFloats("model.norm.weight"))
        .isEqualTo(bf16(in.get("b").readFloats("model.norm.weight")));
    assertThat(out.readFloats("lm_head.weight"))
        .isEqualTo(bf16(in.get("b").readFloats("lm_head.weight")));
  }

  private static float[] bf16(float[] v) {
    float[] out = v.clone();
    ComputeDtype.round(out, DType.BF16);
    return out;
  }

  @Test
  void slerpGradientGivesBaseAtFirstLayerAndModelAtLast() throws Exception {
    Map<String, Checkpoint> in = models("base", "x");
    Recipe recipe =
        RecipeParser.parse(
            """
            merge_method: slerp
            base_model: base
            models: [{model: base}, {model: x}]
            parameters:
              t: [0, 1]
            """,
            "slerp.yml");
    MergeResult r =
        MergeExecutor.run(recipe, in, dir.resolve("slerp"), MergeExecutor.Options.defaults(1));
    Checkpoint out = open(r.directory());
    String l0 = "model.layers.0.self_attn.q_proj.weight";
    assertThat(out.readFloats(l0)).isEqualTo(in.get("base").readFloats(l0));
    assertThat(out.readFloats("model.embed_tokens.weight"))
        .as("tensors outside the layers take the first anchor")
        .isEqualTo(in.get("base").readFloats("model.embed_tokens.weight"));
  }

  @Test
  void tensorMissingFromOneInputIsReportedWithItsModel() throws Exception {
    Map<String, Checkpoint> in = models("base");
    Map<String, long[]> shapes = TinyModels.shapes(2);
    shapes.remove("model.layers.1.mlp.up_proj.weight");
    in.put("a", open(TinyModels.write(dir.resolve("a"), "llama", 2, 5, shapes, DType.F32)));
    Recipe recipe =
        RecipeParser.parse(
            """
            merge_method: task_arithmetic
            base_model: base
            models: [{model: a, parameters: {weight: 1}}]
            """,
            "ta.yml");
    assertThatThrownBy(
            () ->
                MergeExecutor.run(recipe, in, dir.resolve("o"), MergeExecutor.Options.defaults(1)))
        .isInstanceOf(MergeException.class)
        .hasMessageContaining("model.layers.1.mlp.up_proj.weight")
        .hasMessageContaining("'a' has no tensor");
    assertThat(Files.exists(dir.resolve("o"))).isFalse();
  }

  @Test
  void tensorOnlyInAModelIsLeftOutWithAWarningInTheProvenance() throws Exception {
    Map<String, Checkpoint> in = models("base");
    Map<String, long[]> shapes = TinyModels.shapes(2);
    shapes.put("model.extra_adapter.weight", new long[] {2});
    in.put("a", open(TinyModels.write(dir.resolve("a"), "llama", 2, 5, shapes, DType.F32)));
    Recipe recipe =
        RecipeParser.parse(
            """
            merge_method: task_arithmetic
            base_model: base
            models: [{model: a, parameters: {weight: 1}}]
            """,
            "ta.yml");
    MergeResult r =
        MergeExecutor.run(recipe, in, dir.resolve("o"), MergeExecutor.Options.defaults(1));
    assertThat(r.warnings()).singleElement().asString().contains("model.extra_adapter.weight");
    assertThat(Files.readString(r.directory().resolve("amalgam-merge.json")))
        .contains("model.extra_adapter.weight");
  }

  @Test
  void modelsOfDifferentFamiliesAreNotWeightMergeable() throws Exception {
    Map<String, Checkpoint> in = models("base");
    in.put("q", open(TinyModels.write(dir.resolve("q"), "qwen2", 2, 7)));
    Recipe recipe =
        RecipeParser.parse(
            """
            merge_method: linear
            base_model: base
            models: [{model: base, parameters: {weight: 1}}, {model: q, parameters: {weight: 1}}]
            """,
            "linear.yml");
    assertThatThrownBy(
            () ->
                MergeExecutor.run(recipe, in, dir.resolve("o"), MergeExecutor.Options.defaults(1)))
        .hasMessageContaining("not weight-mergeable")
        .hasMessageContaining("use fusion");
  }

  @Test
  void layerRangePastTheModelNamesTheRecipeLine() throws Exception {
    Map<String, Checkpoint> in = models("a");
    Recipe recipe =
        RecipeParser.parse(
            """
            merge_method: passthrough
            slices:
              - sources:
                  - model: a
                    layer_range: [0, 3]
            """,
            "franken.yml");
    assertThatThrownBy(
            () ->
                MergeExecutor.run(recipe, in, dir.resolve("o"), MergeExecutor.Options.defaults(1)))
        .isInstanceOf(RecipeException.class)
        .hasMessageStartingWith("franken.yml:4: layer_range [0, 3] of 'a' goes past its 2 layers");
  }
}
