package dev.amalgam.merge.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Inference over a shuffled chain of 2 to 5 facts: orderings ("Ann is taller than Bob") asking who
 * is more extreme of the chain's two ends, and kinship ("Ann is the parent of Bob") asking how the
 * ends are related (grandparent, great-grandparent, ..., or the child-side reverse).
 */
public final class RelationalTask implements TaskFamily {

  private record Comparison(String more, String less) {}

  private static final List<Comparison> COMPARISONS =
      List.of(
          new Comparison("taller", "shorter"),
          new Comparison("older", "younger"),
          new Comparison("faster", "slower"),
          new Comparison("heavier", "lighter"));

  private final int minChain;
  private final int maxChain;

  public RelationalTask() {
    this(2, 5);
  }

  public RelationalTask(int minChain, int maxChain) {
    if (minChain < 2 || maxChain < minChain || maxChain > 8) {
      throw new IllegalArgumentException(
          "relational: chain length must satisfy 2 <= min <= max <= 8, got "
              + minChain
              + ".."
              + maxChain);
    }
    this.minChain = minChain;
    this.maxChain = maxChain;
  }

  @Override
  public String name() {
    return "relational";
  }

  @Override
  public TaskExample sample(SplittableRandom random) {
    int links = minChain + random.nextInt(maxChain - minChain + 1);
    List<String> chain = Names.pick(random, links + 1);
    return random.nextBoolean() ? ordering(chain, random) : kinship(chain, random);
  }

  /** chain.get(0) has the most of the quality, the last the least. */
  private static TaskExample ordering(List<String> chain, SplittableRandom random) {
    Comparison comparison = COMPARISONS.get(random.nextInt(COMPARISONS.size()));
    List<String> facts = new ArrayList<>();
    for (int i = 0; i + 1 < chain.size(); i++) {
      facts.add(
          random.nextBoolean()
              ? chain.get(i) + " is " + comparison.more() + " than " + chain.get(i + 1) + "."
              : chain.get(i + 1) + " is " + comparison.less() + " than " + chain.get(i) + ".");
    }
    Names.shuffle(facts, random);
    String first = chain.getFirst();
    String last = chain.getLast();
    boolean askMore = random.nextBoolean();
    boolean firstNamedFirst = random.nextBoolean();
    String word = askMore ? comparison.more() : comparison.less();
    String instruction =
        String.join(" ", facts)
            + " Who is "
            + word
            + ", "
            + (firstNamedFirst ? first + " or " + last : last + " or " + first)
            + "?";
    String answer = askMore ? first : last;
    String response =
        "From "
            + comparison.more()
            + " to "
            + comparison.less()
            + ": "
            + String.join(", ", chain)
            + ".\nAnswer: "
            + answer;
    return new TaskExample(instruction, response, answer);
  }

  /** chain.get(i) is the parent of chain.get(i + 1). */
  private static TaskExample kinship(List<String> chain, SplittableRandom random) {
    List<String> facts = new ArrayList<>();
    for (int i = 0; i + 1 < chain.size(); i++) {
      facts.add(
          random.nextBoolean()
              ? chain.get(i) + " is the parent of " + chain.get(i + 1) + "."
              : chain.get(i + 1) + " is the child of " + chain.get(i) + ".");
    }
    Names.shuffle(facts, random);
    int generations = chain.size() - 1;
    boolean askAncestor = random.nextBoolean();
    String subject = askAncestor ? chain.getFirst() : chain.getLast();
    String object = askAncestor ? chain.getLast() : chain.getFirst();
    String answer = "great-".repeat(generations - 2) + (askAncestor ? "grandparent" : "grandchild");
    String instruction = String.join(" ", facts) + " What is " + subject + " to " + object + "?";
    String response =
        "From parent to child: "
            + String.join(", ", chain)
            + ".\n"
            + subject
            + " is "
            + generations
            + " generations "
            + (askAncestor ? "above " : "below ")
            + object
            + ".\nAnswer: "
            + answer;
    return new TaskExample(instruction, response, answer);
  }
}
