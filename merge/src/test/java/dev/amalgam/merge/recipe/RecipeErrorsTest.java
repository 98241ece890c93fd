package dev.amalgam.merge.recipe;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class RecipeErrorsTest {

  private static AbstractThrowableAssert<?, ? extends Throwable> rejecting(String yaml) {
    return assertThatThrownBy(() -> RecipeParser.parse(yaml, "recipe.yml"))
        .isInstanceOf(RecipeException.class);
  }

  @Test
  void unknownMethodNamesLineAndSuggestsClosest() {
    rejecting(
            """
            base_model: base
            models: [{model: a, parameters: {weight: 1}}]
            merge_method: tiez
            """)
        .hasMessage("recipe.yml:3: unknown merge_method 'tiez' (did you mean 'ties'?)");
  }

  @Test
  void taskArithmeticWithoutBaseNamesTheMethodLine() {
    rejecting(
            """
            merge_method: task_arithmetic
            models:
              - model: a
                parameters: {weight: 1}
            """)
        .hasMessageStartingWith("recipe.yml:1: task_arithmetic needs base_model")
        .hasMessageContaining("add 'base_model:");
  }

  @Test
  void dellaDensityPlusEpsilonOutsideUnitIntervalNamesTheDensityLine() {
    rejecting(
            """
            merge_method: della
            base_model: base
            parameters:
              epsilon: 0.15
            models:
              - model: a
                parameters:
                  weight: 1
                  density: 0.9
            """)
        .hasMessageStartingWith(
            "recipe.yml:9: della density 0.9 ± epsilon 0.15 must stay inside (0, 1)");
  }

  @Test
  void dellaWithDefaultDensityAsksForADensity() {
    rejecting(
            """
            merge_method: della_linear
            base_model: base
            models:
              - model: a
                parameters: {weight: 1}
            """)
        .hasMessageContaining("recipe.yml:1: della_linear density 1 (the default)")
        .hasMessageContaining("set density");
  }

  @Test
  void dellaAcceptsPerModelDensityShadowingAnOutOfRangeGlobalOne() {
    RecipeParser.parse(
        """
        merge_method: della
        base_model: base
        parameters: {density: 0.95, weight: 1}
        models:
          - model: a
            parameters: {density: 0.5}
        """,
        "recipe.yml");
  }

  @Test
  void unknownParameterSuggestsTheClosest() {
    rejecting(
            """
            merge_method: ties
            base_model: base
            models:
              - model: a
                parameters:
                  weight: 1
                  densty: 0.5
            """)
        .hasMessageStartingWith(
            "recipe.yml:7: ties has no parameter 'densty' (did you mean 'density'?)");
  }

  @Test
  void missingWeightNamesTheModelEntry() {
    rejecting(
            """
            merge_method: ties
            base_model: base
            models:
              - model: a
                parameters: {weight: 1}
              - model: b
                parameters: {density: 0.5}
            """)
        .hasMessageStartingWith("recipe.yml:6: ties needs 'weight' for model 'b'");
  }

  @Test
  void slerpWithoutTAsksForIt() {
    rejecting(
            """
            merge_method: slerp
            base_model: a
            models: [{model: a}, {model: b}]
            """)
        .hasMessageStartingWith("recipe.yml:1: slerp needs parameter 't'");
  }

  @Test
  void globalParameterAtModelLevelIsMoved() {
    rejecting(
            """
            merge_method: slerp
            base_model: a
            parameters: {t: 0.5}
            models:
              - model: a
              - model: b
                parameters: {t: 0.3}
            """)
        .hasMessageStartingWith("recipe.yml:7: 't' is one value for all models in slerp");
  }

  @Test
  void slerpNeedsExactlyTwoModelsOneOfThemBase() {
    rejecting(
            """
            merge_method: slerp
            base_model: a
            parameters: {t: 0.5}
            models: [{model: a}, {model: b}, {model: c}]
            """)
        .hasMessage("recipe.yml:1: slerp merges exactly two models, one of them base_model");
  }

  @Test
  void layerRangesOfOneSliceMustSpanEqualLayerCounts() {
    rejecting(
            """
            merge_method: slerp
            base_model: a
            parameters: {t: 0.5}
            slices:
              - sources:
                  - {model: a, layer_range: [0, 8]}
                  - {model: b, layer_range: [0, 6]}
            """)
        .hasMessageStartingWith("recipe.yml:7: layer_range of 'b' spans 6 layers");
  }

  @Test
  void emptyLayerRangeIsRejected() {
    rejecting(
            """
            merge_method: passthrough
            slices:
              - sources:
                  - model: a
                    layer_range: [8, 8]
            """)
        .hasMessageStartingWith("recipe.yml:5: layer_range [8, 8] is empty");
  }

  @Test
  void baseMissingFromSliceSourcesIsRejected() {
    rejecting(
            """
            merge_method: ties
            base_model: base
            parameters: {weight: 1}
            slices:
              - sources:
                  - {model: a, layer_range: [0, 8]}
            """)
        .hasMessageStartingWith(
            "recipe.yml:5: base_model 'base' is not among this slice's sources");
  }

  @Test
  void unknownTopLevelKeySuggestsTheClosest() {
    rejecting(
            """
            merge_method: linear
            base_modle: a
            models: [{model: a, parameters: {weight: 1}}]
            """)
        .hasMessageStartingWith(
            "recipe.yml:2: unknown key 'base_modle' in the recipe (did you mean 'base_model'?)");
  }

  @Test
  void unknownDtypeSuggestsTheClosest() {
    rejecting(
            """
            merge_method: linear
            models: [{model: a, parameters: {weight: 1}}]
            dtype: bfloat61
            """)
        .hasMessageStartingWith(
            "recipe.yml:3: unknown dtype 'bfloat61' (did you mean 'bfloat16'?)");
  }

  @Test
  void invalidYamlNamesTheLine() {
    rejecting(
            """
            merge_method: linear
            models:
              - model: a
               parameters: {weight: 1}
            """)
        .hasMessageStartingWith("recipe.yml:4: invalid YAML");
  }

  @Test
  void duplicateKeyIsRejected() {
    rejecting(
            """
            merge_method: linear
            models: [{model: a, parameters: {weight: 1}}]
            merge_method: ties
            """)
        .hasMessageStartingWith("recipe.yml:3: duplicate key 'merge_method'");
  }

  @Test
  void modelsAndSlicesTogetherAreRejected() {
    rejecting(
            """
            merge_method: passthrough
            models: [{model: a}]
            slices:
              - sources: [{model: a, layer_range: [0, 2]}]
            """)
        .hasMessageStartingWith("recipe.yml:3: a recipe has either models or slices");
  }

  @Test
  void tokenizerSourceAndTokenizerTogetherAreRejected() {
    rejecting(
            """
            merge_method: linear
            models: [{model: a, parameters: {weight: 1}}]
            tokenizer_source: union
            tokenizer:
              source: base
            """)
        .hasMessageStartingWith("recipe.yml:4: set either tokenizer_source or tokenizer");
  }

  @Test
  void seedMustBeAWholeNumber() {
    rejecting(
            """
            merge_method: linear
            models: [{model: a, parameters: {weight: 1}}]
            seed: lucky
            """)
        .hasMessageStartingWith("recipe.yml:3: seed must be a whole number");
  }

  @Test
  void booleanParameterRejectsANumber() {
    rejecting(
            """
            merge_method: ties
            base_model: base
            parameters:
              normalize: 0.5
            models: [{model: a, parameters: {weight: 1}}]
            """)
        .hasMessageStartingWith("recipe.yml:4: 'normalize' must be true or false");
  }

  @Test
  void densityOutOfRangeIsRejectedAtItsGradientAnchor() {
    rejecting(
            """
            merge_method: ties
            base_model: base
            models:
              - model: a
                parameters:
                  weight: 1
                  density:
                    - 0.5
                    - 1.5
            """)
        .hasMessageStartingWith("recipe.yml:9: density 1.5 must be in (0, 1]");
  }

  @Test
  void emptyRecipeIsRejected() {
    rejecting("").hasMessageStartingWith("recipe.yml:1: recipe is empty");
  }

  @Test
  void missingMergeMethodListsTheChoices() {
    rejecting("models: [{model: a}]\n").hasMessageContaining("missing merge_method; add one of");
  }
}
