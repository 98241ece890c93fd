package dev.amalgam.merge.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GradientResolutionTest {

  private static double at(ParameterResolver r, int layer, int layers) {
    return (double)
        r.resolve("t", -1, "model.layers.0.mlp.up_proj.weight", layer, layers).orElseThrow();
  }

  @Test
  void twoAnchorsInterpolateLinearlyOverTheLayers() {
    Recipe recipe = slerp("[0, 1]", 5);
    double[] expected = {0, 0.25, 0.5, 0.75, 1};
    for (int i = 0; i < 5; i++) {
      assertThat(at(recipe.resolver(0), i, 5)).isCloseTo(expected[i], within(1e-15));
    }
  }

  @Test
  void eachLayerOnAnAnchorTakesThatAnchor() {
    Recipe recipe = slerp("[0, 0.5, 1, 0.5]", 4);
    double[] expected = {0, 0.5, 1, 0.5};
    for (int i = 0; i < 4; i++) {
      assertThat(at(recipe.resolver(0), i, 4)).isCloseTo(expected[i], within(1e-15));
    }
  }

  @Test
  void fiveAnchorsOverNineLayersHitAnchorsAndMidpoints() {
    Recipe recipe = slerp("[0, 0.5, 0.3, 0.7, 1]", 9);
    double[] expected = {0, 0.25, 0.5, 0.4, 0.3, 0.5, 0.7, 0.85, 1};
    for (int i = 0; i < 9; i++) {
      assertThat(at(recipe.resolver(0), i, 9))
          .as("layer %d", i)
          .isCloseTo(expected[i], within(1e-12));
    }
  }

  @Test
  void singleLayerSliceTakesTheLastAnchorAndNonLayerTensorsTheFirst() {
    Recipe recipe = slerp("[0.2, 0.9]", 1);
    assertThat(at(recipe.resolver(0), 0, 1)).isEqualTo(0.9);
    assertThat(recipe.resolver(0).resolve("t", -1, "lm_head.weight", null, 1)).contains(0.2);
  }

  @Test
  void gradientRestartsInEverySlice() {
    String yaml =
        """
        merge_method: slerp
        base_model: a
        slices:
          - sources:
              - {model: a, layer_range: [0, 8]}
              - {model: b, layer_range: [0, 8]}
          - sources:
              - {model: a, layer_range: [8, 12]}
              - {model: b, layer_range: [8, 12]}
        parameters:
          t: [0, 1]
        """;
    Recipe recipe = RecipeParser.parse(yaml, "recipe.yml");
    assertThat(at(recipe.resolver(0), 7, 8)).isEqualTo(1.0);
    assertThat(at(recipe.resolver(1), 0, 4)).isEqualTo(0.0);
    assertThat(at(recipe.resolver(1), 2, 4)).isCloseTo(2.0 / 3, within(1e-15));
  }

  @Test
  void mostSpecificLevelWinsAndUnmatchedFiltersFallThrough() {
    String yaml =
        """
        merge_method: ties
        base_model: base
        parameters:
          density: 0.9
          weight: 0.1
        slices:
          - sources:
              - model: base
                layer_range: [0, 4]
              - model: m1
                layer_range: [0, 4]
                parameters:
                  weight:
                    - filter: mlp
                      value: 0.8
              - model: m2
                layer_range: [0, 4]
            parameters:
              density: 0.6
        """;
    Recipe recipe = RecipeParser.parse(yaml, "recipe.yml");
    ParameterResolver r = recipe.resolver(0);
    assertThat(r.resolve("weight", 1, "model.layers.1.mlp.up_proj.weight", 1, 4)).contains(0.8);
    assertThat(r.resolve("weight", 1, "model.layers.1.self_attn.k_proj.weight", 1, 4))
        .contains(0.1);
    assertThat(r.resolve("weight", 2, "model.layers.1.mlp.up_proj.weight", 1, 4)).contains(0.1);
    assertThat(r.resolve("density", 2, "model.layers.1.mlp.up_proj.weight", 1, 4)).contains(0.6);
  }

  private static Recipe slerp(String gradient, int layers) {
    String yaml =
        """
        merge_method: slerp
        base_model: a
        slices:
          - sources:
              - model: a
                layer_range: [0, %d]
              - model: b
                layer_range: [0, %d]
        parameters:
          t: %s
        """
            .formatted(layers, layers, gradient);
    return RecipeParser.parse(yaml, "recipe.yml");
  }
}
