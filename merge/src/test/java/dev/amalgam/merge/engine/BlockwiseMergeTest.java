package dev.amalgam.merge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.DTypeCodec;
import dev.amalgam.merge.method.MergeInput;
import dev.amalgam.merge.method.MergeMethod;
import dev.amalgam.merge.method.ResolvedParameters;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Elementwise methods and the sparsifying ones with a block-by-block form run block by block; the
 * bytes must equal one whole-tensor merge.
 */
class BlockwiseMergeTest {
  private static final String BIG = "model.layers.0.mlp.up_proj.weight";

  @TempDir Path dir;
  private final List<Checkpoint> opened = new ArrayList<>();

  @AfterEach
  void closeCheckpoints() {
    opened.forEach(Checkpoint::close);
  }

  private Map<String, Checkpoint> bf16Models() throws Exception {
    Map<String, long[]> shapes = TinyModels.shapes(2);
    // Two full blocks and a partial one of odd length (7 x 4857 = 2 x 16384 + 1231).
    shapes.put(BIG, new long[] {7, (2L * BlockProducer.BLOCK + 1234) / 7});
    Map<String, Checkpoint> out = new LinkedHashMap<>();
    long seed = 11;
    for (String name : new String[] {"base", "a", "b"}) {
      Path p = TinyModels.write(dir.resolve(name), "llama", 2, seed++, shapes, DType.BF16);
      Checkpoint c = Checkpoint.open(p);
      opened.add(c);
      out.put(name, c);
    }
    return out;
  }

  @Test
  void linearInBlocksEqualsWholeTensorMergeByteForByte() throws Exception {
    assertBlockwiseMatchesWhole(
        """
        merge_method: linear
        models:
          - model: base
            parameters: {weight: 0.2}
          - model: a
            parameters: {weight: 0.3}
          - model: b
            parameters: {weight: 0.7}
        """,
        List.of("base", "a", "b"),
        null);
  }

  @Test
  void taskArithmeticInBlocksEqualsWholeTensorMergeByteForByte() throws Exception {
    assertBlockwiseMatchesWhole(
        """
        merge_method: task_arithmetic
        base_model: base
        models:
          - model: a
            parameters: {weight: 0.6}
          - model: b
            parameters: {weight: [0.1, 0.9]}
        parameters: {lambda: 0.8}
        """,
        List.of("a", "b"),
        "base");
  }

  @Test
  void tiesInBlocksEqualsWholeTensorMergeByteForByte() throws Exception {
    assertBlockwiseMatchesWhole(
        """
        merge_method: ties
        base_model: base
        models:
          - model: a
            parameters: {weight: 0.6, density: 0.3}
          - model: b
            parameters: {weight: 0.5, density: 0.7}
        """,
        List.of("a", "b"),
        "base");
  }

  @Test
  void dareTiesWithRescaleInBlocksEqualsWholeTensorMergeByteForByte() throws Exception {
    assertBlockwiseMatchesWhole(
        """
        merge_method: dare_ties
        base_model: base
        models:
          - model: a
            parameters: {weight: 0.6, density: 0.4}
          - model: b
            parameters: {weight: 0.5, density: 0.6}
        seed: 5
        """,
        List.of("a", "b"),
        "base");
  }

  private void assertBlockwiseMatchesWhole(String yaml, List<String> models, String base)
      throws Exception {
    Map<String, Checkpoint> in = bf16Models();
    Recipe recipe = RecipeParser.parse(yaml, "blocks.yml");
    MergeMethod method = recipe.method();
    MergeResult result =
        MergeExecutor.run(recipe, in, dir.resolve("out"), MergeExecutor.Options.defaults(2));
    Checkpoint out = Checkpoint.open(result.directory());
    opened.add(out);
    assertThat(out.info(BIG).elementCount()).isGreaterThan(2L * BlockProducer.BLOCK);
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      indices.add(i);
    }
    for (String name : out.tensorNames()) {
      ResolvedParameters p =
          recipe.resolver(0).resolveFor(method, indices, name, LayerNames.layerOf(name), 2);
      List<float[]> xs = new ArrayList<>();
      for (String m : models) {
        xs.add(in.get(m).readFloats(name));
      }
      float[] whole =
          method.merge(
              new MergeInput(
                  name,
                  out.info(name).shape(),
                  base == null ? null : in.get(base).readFloats(name),
                  xs,
                  p,
                  recipe.seed()));
      assertThat(out.bytes(name).toArray(ValueLayout.JAVA_BYTE))
          .as(name)
          .isEqualTo(DTypeCodec.encode(DType.BF16, whole));
    }
  }
}
