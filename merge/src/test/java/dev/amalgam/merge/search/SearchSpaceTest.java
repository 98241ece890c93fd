package dev.amalgam.merge.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {

  private static Recipe recipe(String method, String extra) {
    return RecipeParser.parse(SearchFixtures.recipe(method, extra), "r.yml");
  }

  @Test
  void tiesHasWeightAndDensityPerModelForEveryLayerGroupAndTheOutsideGroup() {
    SearchSpace space = SearchSpace.of(recipe("ties", ""), 4, 2, false);
    assertThat(space.groups())
        .extracting(ParameterGroup::label)
        .containsExactly("L0-1", "L2-3", "other");
    assertThat(space.parameters())
        .extracting(SearchedParameter::name)
        .containsExactly("weight", "density");
    assertThat(space.dimension()).isEqualTo(3 * 2 * 2);
    assertThat(space.geneName(space.index(1, 1, 1))).isEqualTo("L2-3/expert-b/density");
  }

  @Test
  void perModuleSplitsEveryLayerGroupIntoAttentionAndMlp() {
    SearchSpace space = SearchSpace.of(recipe("task_arithmetic", ""), 3, 1, true);
    assertThat(space.groups())
        .extracting(ParameterGroup::label)
        .containsExactly("L0/attn", "L0/mlp", "L1/attn", "L1/mlp", "L2/attn", "L2/mlp", "other");
    assertThat(space.dimension()).isEqualTo(7 * 2);
    int attn = space.groupOf(1, "model.layers.1.self_attn.q_proj.weight");
    assertThat(space.groupOf(1, "model.layers.1.input_layernorm.weight")).isEqualTo(attn);
    assertThat(space.groupOf(1, "model.layers.1.mlp.up_proj.weight")).isEqualTo(attn + 1);
    assertThat(space.groupOf(1, "model.layers.1.post_attention_layernorm.weight"))
        .isEqualTo(attn + 1);
    assertThat(space.groupOf(null, "model.norm.weight")).isEqualTo(6);
  }

  @Test
  void startsFromUniformWeightsAndFullDensityWithinBounds() {
    SearchSpace space = SearchSpace.of(recipe("dare_ties", ""), 4, 1, false);
    double[] start = space.start();
    for (int g = 0; g < space.groups().size(); g++) {
      for (int m = 0; m < 2; m++) {
        assertThat(start[space.index(g, 0, m)]).isEqualTo(0.5);
        assertThat(start[space.index(g, 1, m)]).isEqualTo(1.0);
      }
    }
    assertThat(space.lower()[space.index(0, 1, 0)]).isEqualTo(0.1);
  }

  @Test
  void slerpSearchesOneSharedTPerGroup() {
    Recipe slerp = RecipeParser.parse(SearchFixtures.SLERP, "s.yml");
    SearchSpace space = SearchSpace.of(slerp, 4, 1, false);
    assertThat(space.dimension()).isEqualTo(5);
    assertThat(space.start()).containsOnly(0.5);
  }

  @Test
  void dellaDensityStaysInsideEpsilon() {
    SearchSpace space =
        SearchSpace.of(recipe("della", "parameters: {epsilon: 0.2, density: 0.5}"), 2, 1, false);
    SearchedParameter density = space.parameters().get(1);
    assertThat(density.lower()).isEqualTo(0.21);
    assertThat(density.upper()).isEqualTo(0.79);
    assertThat(density.start()).isEqualTo(0.79);
  }

  @Test
  void quantizesToFourDecimalsClampedIntoBounds() {
    SearchSpace space = SearchSpace.of(recipe("ties", ""), 1, 1, false);
    double[] q = space.quantize(new double[] {0.123456, 0.00049, -0.3, 1.7, 0.5, 0.05, 0.9, 0.2});
    // Genes: per group, each parameter's values for every model (weights, then densities).
    assertThat(q).containsExactly(0.1235, 0.0, 0.1, 1.0, 0.5, 0.05, 0.9, 0.2);
  }

  @Test
  void rejectsMethodsWithNothingToSearch() {
    assertThatThrownBy(
            () ->
                SearchSpace.of(
                    RecipeParser.parse(
                        """
                        merge_method: passthrough
                        models:
                          - model: a
                        """,
                        "p.yml"),
                    4,
                    1,
                    false))
        .hasMessageContaining("p.yml:1: merge_method passthrough has nothing to search");
    assertThatThrownBy(
            () ->
                SearchSpace.of(
                    RecipeParser.parse(
                        """
                        merge_method: linear
                        models:
                          - model: a
                            parameters: {weight: 1}
                        """,
                        "l.yml"),
                    4,
                    1,
                    false))
        .hasMessageContaining("linear has nothing to search (linear over one model");
    assertThatThrownBy(
            () ->
                SearchSpace.of(
                    RecipeParser.parse(
                        """
                        merge_method: karcher
                        models:
                          - model: a
                          - model: b
                        """,
                        "k.yml"),
                    4,
                    1,
                    false))
        .hasMessageContaining("karcher has nothing to search");
  }

  @Test
  void rejectsZeroGranularityAndSlicesRecipes() {
    assertThatThrownBy(() -> SearchSpace.of(recipe("ties", ""), 4, 0, false))
        .hasMessageContaining("--granularity must be at least 1");
    Recipe slices =
        RecipeParser.parse(
            """
            merge_method: ties
            base_model: base
            slices:
              - sources:
                  - {model: base, layer_range: [0, 4]}
                  - {model: a, layer_range: [0, 4], parameters: {weight: 1}}
            """,
            "sl.yml");
    assertThatThrownBy(() -> SearchSpace.of(slices, 4, 1, false))
        .hasMessageContaining("needs a models: recipe");
  }
}
