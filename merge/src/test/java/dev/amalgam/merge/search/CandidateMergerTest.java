package dev.amalgam.merge.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.engine.MergeExecutor;
import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CandidateMergerTest {
  @TempDir static Path dir;
  static Map<String, Checkpoint> inputs;
  static TextTokenizer tokenizer;

  @BeforeAll
  static void models() throws IOException {
    SearchFixtures.models(dir);
    inputs = SearchFixtures.open(dir);
    tokenizer = TextTokenizer.load(SearchFixtures.tokenizer());
  }

  @AfterAll
  static void close() {
    inputs.values().forEach(Checkpoint::close);
    tokenizer.close();
  }

  private static CandidateEvaluator evaluator(
      Recipe template, SearchSpace space, CandidateMerger m) {
    SearchTask task =
        new SearchTask(
            "arithmetic",
            1,
            TaskFamilies.generate(TaskFamilies.byName("arithmetic"), Split.DEV, 4, 1),
            List.of());
    return new CandidateEvaluator(
        space,
        new LayerwiseRecipeWriter(template, Map.of(), m.outsideTensors()),
        m,
        new LogLikelihoodFitness(List.of(task), SearchFixtures.encoding(tokenizer), false, 8));
  }

  private static double[] randomGenome(SearchSpace space, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] g = space.start();
    for (int i = 0; i < g.length; i++) {
      g[i] = space.lower()[i] + random.nextDouble() * (space.upper()[i] - space.lower()[i]);
    }
    return space.quantize(g);
  }

  private void assertBestRecipeReproducesEvaluatedTensors(
      String method, String extra, int granularity, boolean perModule, Path out)
      throws IOException {
    Recipe template = RecipeParser.parse(SearchFixtures.recipe(method, extra), "t.yml");
    SearchSpace space = SearchSpace.of(template, SearchFixtures.LAYERS, granularity, perModule);
    try (CandidateMerger merger = CandidateMerger.open(template, inputs)) {
      CandidateEvaluator evaluator = evaluator(template, space, merger);
      double[] genome = randomGenome(space, 42);
      evaluator.evaluate(genome);
      Path best = out.resolve("BEST.yml");
      Files.writeString(best, evaluator.recipe(genome, List.of("test")));
      MergeExecutor.run(
          RecipeParser.parse(best),
          inputs,
          out.resolve("merged"),
          MergeExecutor.Options.defaults(1));
      try (Checkpoint merged = Checkpoint.open(out.resolve("merged"))) {
        for (String name : merger.model().names()) {
          assertThat(merger.model().floats(name)).as(name).containsExactly(merged.readFloats(name));
        }
      }
    }
  }

  @Test
  void bestRecipeMergedByTheExecutorGivesTheEvaluatedTensorsForTies(@TempDir Path out)
      throws IOException {
    assertBestRecipeReproducesEvaluatedTensors("ties", "", 1, false, out);
  }

  @Test
  void bestRecipeMergedByTheExecutorGivesTheEvaluatedTensorsForDareTiesPerModule(@TempDir Path out)
      throws IOException {
    assertBestRecipeReproducesEvaluatedTensors(
        "dare_ties", "seed: 5\ndtype: bfloat16", 2, true, out);
  }

  @Test
  void bestRecipeMergedByTheExecutorGivesTheEvaluatedTensorsForTaskArithmetic(@TempDir Path out)
      throws IOException {
    assertBestRecipeReproducesEvaluatedTensors(
        "task_arithmetic", "out_dtype: bfloat16", 3, false, out);
  }

  @Test
  void tensorsOfUnchangedGroupsAreNotMergedAgain() throws IOException {
    Recipe template = RecipeParser.parse(SearchFixtures.recipe("ties", ""), "t.yml");
    SearchSpace space = SearchSpace.of(template, SearchFixtures.LAYERS, 1, false);
    try (CandidateMerger merger = CandidateMerger.open(template, inputs)) {
      CandidateEvaluator evaluator = evaluator(template, space, merger);
      double[] genome = space.start();
      int all = merger.apply(evaluator.parse(genome));
      assertThat(all).isEqualTo(merger.model().names().size());
      int group = space.groupOf(2, "model.layers.2.mlp.up_proj.weight");
      genome[space.index(group, 0, 1)] = 0.25;
      int changed = merger.apply(evaluator.parse(genome));
      long inLayer2 =
          merger.model().names().stream().filter(n -> n.startsWith("model.layers.2.")).count();
      assertThat(changed).isEqualTo(inLayer2);
      assertThat(merger.apply(evaluator.parse(genome))).isZero();
      merger.useInput("expert-a");
      assertThat(merger.model().floats("model.norm.weight"))
          .containsExactly(inputs.get("expert-a").readFloats("model.norm.weight"));
      assertThat(merger.apply(evaluator.parse(genome))).isEqualTo(all);
    }
  }

  @Test
  void cachedGenomeIsScoredWithoutMerging() throws IOException {
    Recipe template = RecipeParser.parse(SearchFixtures.recipe("ties", ""), "t.yml");
    SearchSpace space = SearchSpace.of(template, SearchFixtures.LAYERS, 2, false);
    try (CandidateMerger merger = CandidateMerger.open(template, inputs)) {
      CandidateEvaluator evaluator = evaluator(template, space, merger);
      double[] genome = randomGenome(space, 1);
      Evaluation first = evaluator.evaluate(genome);
      evaluator.evaluate(randomGenome(space, 2));
      double[] nearlySame = genome.clone();
      nearlySame[0] += 0.00001;
      Evaluation again = evaluator.evaluate(nearlySame);
      assertThat(first.cached()).isFalse();
      assertThat(again.cached()).isTrue();
      assertThat(again.mergedTensors()).isZero();
      assertThat(again.fitness()).isEqualTo(first.fitness());
      assertThat(again.index()).isEqualTo(3);
      assertThat(evaluator.computed()).isEqualTo(2);
      assertThat(evaluator.history()).hasSize(3);
    }
  }
}
