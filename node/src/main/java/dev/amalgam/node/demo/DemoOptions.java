package dev.amalgam.node.demo;

import java.nio.file.Path;

/**
 * The demo's settings.
 *
 * @param n test examples per task family for every model's evaluation
 * @param budget candidates the layer-wise search merges and scores
 * @param devN dev examples per family in the search's fitness
 * @param fuseN composite train examples node 3 summarizes and node 1 fuses on
 * @param out where the report goes (null: a new temporary directory)
 * @param keep keep the temporary node homes, models and logs
 * @param zoo the zoo directory (null: the repository's)
 * @param seed seed of the generated examples and of CMA-ES
 */
public record DemoOptions(
    int n, int budget, int devN, int fuseN, Path out, boolean keep, Path zoo, long seed) {

  public DemoOptions {
    positive("--n", n);
    positive("--budget", budget);
    positive("--dev-n", devN);
    positive("--fuse-n", fuseN);
  }

  private static void positive(String option, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + value);
    }
  }
}
