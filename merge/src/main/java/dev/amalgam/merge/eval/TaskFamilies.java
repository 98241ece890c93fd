package dev.amalgam.merge.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/** The built-in families and deterministic, split-aware generation. */
public final class TaskFamilies {

  private static final Map<String, Supplier<TaskFamily>> BUILT_IN =
      Map.of(
          "arithmetic", ArithmeticTask::new,
          "relational", RelationalTask::new,
          "composite", CompositeTask::new);

  /**
   * Generation budget that fits every built-in worked solution: the longest, a composite
   * scratchpad, is 149 tokens in the zoo's family-A tokenizer.
   */
  public static final int DEFAULT_MAX_NEW_TOKENS = 160;

  private TaskFamilies() {}

  public static List<String> names() {
    return List.of("arithmetic", "relational", "composite");
  }

  public static TaskFamily byName(String name) {
    Supplier<TaskFamily> family = BUILT_IN.get(name);
    if (family == null) {
      throw new IllegalArgumentException(
          "unknown task family '" + name + "' (" + String.join(", ", names()) + ")");
    }
    return family.get();
  }

  /**
   * n distinct problems of the family that belong to the split, the same for the same seed. Fails
   * if the family cannot supply that many.
   */
  public static List<TaskExample> generate(TaskFamily family, Split split, int n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("number of examples must be >= 0, got " + n);
    }
    SplittableRandom random =
        new SplittableRandom(
            seed * 0x9E3779B97F4A7C15L + family.name().hashCode() * 31L + split.ordinal());
    LinkedHashSet<String> seen = new LinkedHashSet<>();
    List<TaskExample> examples = new ArrayList<>();
    long attempts = 0;
    long limit = 1000L + 200L * n;
    while (examples.size() < n) {
      if (++attempts > limit) {
        throw new IllegalStateException(
            "task family "
                + family.name()
                + ": found only "
                + examples.size()
                + " distinct "
                + split.label()
                + " examples of "
                + n
                + " requested");
      }
      TaskExample example = family.sample(random);
      if (Split.of(family.name(), example.instruction()) == split
          && seen.add(example.instruction())) {
        examples.add(example);
      }
    }
    return examples;
  }
}
