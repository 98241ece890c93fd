package dev.amalgam.merge.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.recipe.ParameterResolver;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LayerwiseRecipeWriterTest {
  private static final List<String> OUTSIDE =
      List.of("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight");
  private static final List<String> LAYER_SUFFIXES =
      List.of(
          "input_layernorm.weight",
          "self_attn.q_proj.weight",
          "self_attn.o_proj.weight",
          "post_attention_layernorm.weight",
          "mlp.gate_proj.weight",
          "mlp.down_proj.weight");

  private static double[] randomGenome(SearchSpace space, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] lower = space.lower();
    double[] upper = space.upper();
    double[] g = new double[space.dimension()];
    for (int i = 0; i < g.length; i++) {
      g[i] = lower[i] + random.nextDouble() * (upper[i] - lower[i]);
    }
    return space.quantize(g);
  }

  /** Every tensor of every layer resolves to exactly its group's gene for every model. */
  private static void assertRecipeCarriesGenome(SearchSpace space, double[] genome, Recipe r) {
    ParameterResolver resolver = r.resolver(0);
    List<Integer> inputs = r.slices().get(0).inputIndices(r.method());
    List<String> tensors = new ArrayList<>(OUTSIDE);
    for (int layer = 0; layer < space.layers(); layer++) {
      for (String suffix : LAYER_SUFFIXES) {
        tensors.add("model.layers." + layer + "." + suffix);
      }
    }
    for (String tensor : tensors) {
      Integer layer =
          tensor.startsWith("model.layers.") ? Integer.valueOf(tensor.split("\\.")[2]) : null;
      int group = space.groupOf(layer, tensor);
      for (int p = 0; p < space.parameters().size(); p++) {
        SearchedParameter sp = space.parameters().get(p);
        for (int m = 0; m < space.slots(sp); m++) {
          Object value =
              resolver
                  .resolve(
                      sp.name(), sp.perModel() ? inputs.get(m) : -1, tensor, layer, space.layers())
                  .orElseThrow();
          assertThat(value)
              .as("%s of model %d for %s", sp.name(), m, tensor)
              .isEqualTo(genome[space.index(group, p, m)]);
        }
      }
    }
  }

  @Test
  void perLayerListsReproduceEveryGroupValue() {
    Recipe template =
        RecipeParser.parse(SearchFixtures.recipe("ties", "parameters: {normalize: true}"), "t.yml");
    for (int granularity : new int[] {1, 2, 3}) {
      SearchSpace space = SearchSpace.of(template, 5, granularity, false);
      double[] genome = randomGenome(space, granularity);
      String text =
          new LayerwiseRecipeWriter(template, Map.of(), OUTSIDE).write(space, genome, List.of());
      Recipe written = RecipeParser.parse(text, "best.yml");
      assertRecipeCarriesGenome(space, genome, written);
      assertThat(written.parameters().get("normalize")).isPresent();
    }
  }

  @Test
  void perModuleFiltersReproduceAttentionAndMlpValues() {
    Recipe template = RecipeParser.parse(SearchFixtures.recipe("dare_ties", ""), "t.yml");
    SearchSpace space = SearchSpace.of(template, 4, 1, true);
    double[] genome = randomGenome(space, 3);
    String text =
        new LayerwiseRecipeWriter(template, Map.of(), OUTSIDE)
            .write(space, genome, List.of("a comment"));
    assertThat(text).startsWith("# a comment\n").contains("filter: self_attn");
    assertRecipeCarriesGenome(space, genome, RecipeParser.parse(text, "best.yml"));
  }

  @Test
  void slerpWritesTheSharedTAsAGlobalParameter() {
    Recipe template = RecipeParser.parse(SearchFixtures.SLERP, "s.yml");
    SearchSpace space = SearchSpace.of(template, 3, 1, false);
    double[] genome = randomGenome(space, 5);
    String text =
        new LayerwiseRecipeWriter(template, Map.of("expert-a", "../x/expert-a"), OUTSIDE)
            .write(space, genome, List.of());
    Recipe written = RecipeParser.parse(text, "best.yml");
    assertThat(written.referencedModels()).containsExactly("base", "../x/expert-a");
    assertRecipeCarriesGenome(space, genome, written);
  }

  @Test
  void uniformGenomeWritesPlainNumbers() {
    Recipe template = RecipeParser.parse(SearchFixtures.recipe("ties", ""), "t.yml");
    SearchSpace space = SearchSpace.of(template, 4, 1, false);
    String text =
        new LayerwiseRecipeWriter(template, Map.of(), OUTSIDE)
            .write(space, space.uniform(0.6, 0.7), List.of());
    assertThat(text).contains("weight: 0.6").contains("density: 0.7").doesNotContain("filter");
  }
}
