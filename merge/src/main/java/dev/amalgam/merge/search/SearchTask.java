package dev.amalgam.merge.search;

import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.eval.TaskFamily;
import dev.amalgam.merge.eval.TaskJsonl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A task family the search is scored on: its weight in the fitness, its dev examples (the only ones
 * the search sees) and its test examples (for the report).
 *
 * @param name the family name
 * @param weight the family's share of the fitness (relative to the other families)
 * @param dev dev-split examples
 * @param test test-split examples (may be empty when no report is wanted)
 */
public record SearchTask(
    String name, double weight, List<TaskExample> dev, List<TaskExample> test) {

  public SearchTask {
    dev = List.copyOf(dev);
    test = List.copyOf(test);
  }

  /**
   * Resolves one {@code --task} entry: {@code NAME[:WEIGHT]}, where NAME is a built-in family
   * (generated, split-aware) or a directory holding {@code dev.jsonl} (and {@code test.jsonl}).
   *
   * @param devN dev examples to use (at most; a directory's file may hold fewer)
   * @param testN test examples to use (0 for none)
   * @param seed the seed of generated examples
   * @throws IllegalArgumentException naming what is wrong when the family has no dev data
   */
  public static SearchTask resolve(String spec, int devN, int testN, long seed) throws IOException {
    if (devN < 1) {
      throw new IllegalArgumentException("--dev-n must be at least 1, got " + devN);
    }
    String name = spec;
    double weight = 1;
    int colon = spec.lastIndexOf(':');
    if (colon > 0) {
      name = spec.substring(0, colon);
      try {
        weight = Double.parseDouble(spec.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--task " + spec + ": the weight after ':' must be a number");
      }
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "--task " + spec + ": the weight after ':' must be a positive number");
      }
    }
    if (TaskFamilies.names().contains(name)) {
      TaskFamily family = TaskFamilies.byName(name);
      return new SearchTask(
          name,
          weight,
          generate(family, Split.DEV, devN, seed),
          testN > 0 ? generate(family, Split.TEST, testN, seed) : List.of());
    }
    Path dir = Path.of(name);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "--task "
              + name
              + ": no such task family ("
              + String.join(", ", TaskFamilies.names())
              + ") or task directory with dev.jsonl");
    }
    Path devFile = dir.resolve("dev.jsonl");
    List<TaskExample> dev = Files.isRegularFile(devFile) ? TaskJsonl.read(devFile) : List.of();
    if (dev.isEmpty()) {
      throw new IllegalArgumentException(
          "--task "
              + name
              + ": task family has no dev data ("
              + devFile
              + (Files.isRegularFile(devFile) ? " is empty" : " is missing")
              + "); the search is scored on dev examples only, write some with"
              + " 'amalgam tasks generate --split dev'");
    }
    List<TaskExample> test = List.of();
    Path testFile = dir.resolve("test.jsonl");
    if (testN > 0) {
      if (!Files.isRegularFile(testFile)) {
        throw new IllegalArgumentException(
            "--task " + name + ": " + testFile + " is missing; the report needs test examples");
      }
      test = first(TaskJsonl.read(testFile), testN);
    }
    String family = dir.toAbsolutePath().normalize().getFileName().toString();
    return new SearchTask(family, weight, first(dev, devN), test);
  }

  private static List<TaskExample> generate(TaskFamily family, Split split, int n, long seed) {
    try {
      return TaskFamilies.generate(family, split, n, seed);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("--task " + family.name() + ": " + e.getMessage(), e);
    }
  }

  private static List<TaskExample> first(List<TaskExample> examples, int n) {
    return new ArrayList<>(examples.subList(0, Math.min(n, examples.size())));
  }
}
