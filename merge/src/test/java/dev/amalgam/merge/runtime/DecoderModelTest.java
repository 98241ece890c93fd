package dev.amalgam.merge.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DecoderModelTest {

  private static final int[] TOKENS = {3, 7, 1, 12, 0, 5, 9, 2};

  @Test
  void rmsNormMatchesPlainJava() {
    DecoderConfig config = TinyModels.llama();
    float[] x = {0.5f, -1.25f, 2f, 0.1f, 3f, -0.7f, 0f, 1.5f};
    float[] weight = {1f, 0.5f, 2f, -1f};
    double[] xd = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      xd[i] = x[i];
    }
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 1));
        NDScope ignored = new NDScope();
        NDManager scope = model.manager().newSubManager()) {
      float[] actual =
          model.rmsNorm(scope.create(x, new Shape(2, 4)), scope.create(weight)).toFloatArray();
      double[] firstRow = ReferenceDecoder.rmsNorm(Arrays.copyOf(xd, 4), weight, config.rmsEps());
      double[] secondRow =
          ReferenceDecoder.rmsNorm(Arrays.copyOfRange(xd, 4, 8), weight, config.rmsEps());
      for (int i = 0; i < 4; i++) {
        assertThat((double) actual[i]).isCloseTo(firstRow[i], within(1e-5));
        assertThat((double) actual[4 + i]).isCloseTo(secondRow[i], within(1e-5));
      }
    }
  }

  @Test
  void ropeRotatesHalvesLikeHuggingFace() {
    DecoderConfig config = TinyModels.llama3Scaled();
    ReferenceDecoder reference = new ReferenceDecoder(config, new MapWeightSource());
    float[] x = {0.3f, -1f, 0.5f, 2f, 1f, 0.25f, -0.5f, 1.5f};
    try (NDScope ignored = new NDScope();
        NDManager scope = NDManager.newBaseManager()) {
      NDArray input = scope.create(new float[] {0.3f, -1f, 0.5f, 2f, 1f, 0.25f, -0.5f, 1.5f});
      NDArray positions = scope.create(new float[] {0, 1, 5, 40}, new Shape(1, 4));
      NDArray[] cosSin = Rope.cosSin(positions, Rope.inverseFrequencies(config));
      NDArray batch = input.reshape(1, 1, 1, 8).repeat(2, 4);
      float[] actual = Rope.apply(batch, cosSin).toFloatArray();
      double[] xd = new double[8];
      for (int i = 0; i < 8; i++) {
        xd[i] = x[i];
      }
      int[] pos = {0, 1, 5, 40};
      for (int p = 0; p < 4; p++) {
        double[] expected = reference.rope(xd, pos[p]);
        for (int i = 0; i < 8; i++) {
          assertThat((double) actual[p * 8 + i]).isCloseTo(expected[i], within(1e-5));
        }
      }
    }
  }

  @Test
  void llama3ScalingKeepsHighFrequenciesAndDividesLowOnes() {
    RopeScaling scaling = new RopeScaling("llama3", 8.0, 1.0, 4.0, 16);
    // wavelengths 2π/f: π (< 16/4, kept), 2π·100 (> 16, divided), 8 (between: interpolated)
    double[] scaled = scaling.apply(new double[] {2.0, 0.01, 2 * Math.PI / 8});
    assertThat(scaled[0]).isEqualTo(2.0);
    assertThat(scaled[1]).isCloseTo(0.01 / 8, within(1e-15));
    double smooth = (16 / 8.0 - 1.0) / (4.0 - 1.0);
    double f = 2 * Math.PI / 8;
    assertThat(scaled[2]).isCloseTo((1 - smooth) * f / 8 + smooth * f, within(1e-15));
  }

  @Test
  void forwardMatchesPlainJavaReferenceForGroupedQueryLlama() {
    assertMatchesReference(TinyModels.llama());
  }

  @Test
  void forwardMatchesReferenceWithTiedEmbeddings() {
    assertMatchesReference(TinyModels.tiedLlama());
  }

  @Test
  void forwardMatchesReferenceForQwen2ProjectionBiases() {
    assertMatchesReference(TinyModels.qwen2());
  }

  @Test
  void forwardMatchesReferenceForMistralSlidingWindow() {
    assertMatchesReference(TinyModels.mistralWindow3());
  }

  @Test
  void forwardMatchesReferenceForQwen3QueryKeyNorm() {
    assertMatchesReference(TinyModels.qwen3());
  }

  @Test
  void forwardMatchesReferenceWithLlama3RopeScalingAndAttentionBias() {
    assertMatchesReference(TinyModels.llama3Scaled());
  }

  private static void assertMatchesReference(DecoderConfig config) {
    MapWeightSource weights = TinyModels.randomWeights(config, 42);
    double[][] expected = new ReferenceDecoder(config, weights).logits(TOKENS);
    try (DecoderModel model = DecoderModel.load(config, weights)) {
      float[][] actual = TinyModels.logits(model, TOKENS);
      for (int t = 0; t < TOKENS.length; t++) {
        for (int v = 0; v < config.vocab(); v++) {
          assertThat((double) actual[t][v])
              .as("logit at position %d, token %d", t, v)
              .isCloseTo(expected[t][v], within(2e-4 * Math.max(1, Math.abs(expected[t][v]))));
        }
      }
    }
  }

  @Test
  void setWeightReplacesParameterAndChangesOutput() {
    DecoderConfig config = TinyModels.llama();
    MapWeightSource weights = TinyModels.randomWeights(config, 3);
    try (DecoderModel model = DecoderModel.load(config, weights)) {
      float[][] before = TinyModels.logits(model, TOKENS);
      String name = "model.layers.1.mlp.down_proj.weight";
      float[] replacement = new float[weights.floats(name).length];
      Arrays.fill(replacement, 0.05f);
      model.setWeight(name, replacement);
      assertThat(model.floats(name)).containsExactly(replacement);
      assertThat(TinyModels.logits(model, TOKENS)[3]).isNotEqualTo(before[3]);
      model.setWeight(name, weights.floats(name));
      assertThat(TinyModels.logits(model, TOKENS)[3]).containsExactly(before[3]);
    }
  }

  @Test
  void exportedWeightsLoadIntoAnIdenticalModel() {
    DecoderConfig config = TinyModels.qwen2();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 5));
        DecoderModel copy = DecoderModel.load(config, model)) {
      assertThat(model.exportWeights().keySet())
          .containsExactlyElementsOf(WeightNames.names(config));
      assertThat(TinyModels.logits(copy, TOKENS)[5])
          .containsExactly(TinyModels.logits(model, TOKENS)[5]);
    }
  }

  @Test
  void loadNamesTheMissingTensor() {
    DecoderConfig config = TinyModels.llama();
    MapWeightSource full = TinyModels.randomWeights(config, 1);
    MapWeightSource partial = new MapWeightSource();
    for (String name : full.names()) {
      if (!name.equals("model.layers.1.self_attn.k_proj.weight")) {
        partial.put(name, full.shape(name), full.floats(name));
      }
    }
    assertThatThrownBy(() -> DecoderModel.load(config, partial))
        .hasMessage("weights: missing tensor model.layers.1.self_attn.k_proj.weight");
  }

  @Test
  void loadNamesATensorWithTheWrongShape() {
    DecoderConfig config = TinyModels.llama();
    MapWeightSource full = TinyModels.randomWeights(config, 1);
    MapWeightSource wrong = new MapWeightSource();
    for (String name : full.names()) {
      long[] shape = full.shape(name);
      if (name.equals("model.norm.weight")) {
        wrong.put(name, new long[] {2, 8}, full.floats(name));
      } else {
        wrong.put(name, shape, full.floats(name));
      }
    }
    assertThatThrownBy(() -> DecoderModel.load(config, wrong))
        .hasMessage("weights: tensor model.norm.weight has shape [2, 8], config needs [16]");
  }

  @Test
  void rejectsTokenIdsOutsideTheVocabulary() {
    DecoderConfig config = TinyModels.llama();
    try (DecoderModel model = DecoderModel.load(config, TinyModels.randomWeights(config, 1))) {
      assertThatThrownBy(
              () -> new TeacherForcedScorer(model).score(java.util.List.of(new int[] {1, 13}), 1))
          .hasMessage("sequence 0, position 1: token id 13 outside [0, 13)");
    }
  }
}
