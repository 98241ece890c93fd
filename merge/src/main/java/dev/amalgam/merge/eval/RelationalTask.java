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
    List<Integer> order = shuffledLinks(facts, random);
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
        orderingWork(chain, order, comparison.more(), comparison.less()) + "\nAnswer: " + answer;
    return new TaskExample(instruction, response, answer);
  }

  /**
   * The worked solution of an ordering problem, in two lines: every fact restated in the "more"
   * direction, in the order the question gave them; then, after "From taller to shorter:", a walk
   * from the top of the chain, one looked-up fact per step: "Max is taller than Oda." then "Max is
   * taller than Fay." (because "Oda is taller than Fay."), down to the bottom. No step needs a
   * search over the whole chain. Every name but the first follows a space, so it is the same token
   * (family A) as in the question; a line-initial name is a different one.
   */
  static String orderingWork(List<String> chain, List<Integer> order, String more, String less) {
    StringBuilder work = new StringBuilder();
    for (int i : order) {
      work.append(work.isEmpty() ? "" : " ").append(chain.get(i)).append(" is ").append(more);
      work.append(" than ");
      work.append(chain.get(i + 1)).append('.');
    }
    work.append("\nFrom ").append(more).append(" to ").append(less).append(':');
    for (int j = 1; j < chain.size(); j++) {
      work.append(' ').append(chain.getFirst()).append(" is ").append(more).append(" than ");
      work.append(chain.get(j)).append('.');
    }
    return work.toString();
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
    List<Integer> order = shuffledLinks(facts, random);
    int generations = chain.size() - 1;
    boolean askAncestor = random.nextBoolean();
    String subject = askAncestor ? chain.getFirst() : chain.getLast();
    String object = askAncestor ? chain.getLast() : chain.getFirst();
    String answer = "great-".repeat(generations - 2) + (askAncestor ? "grandparent" : "grandchild");
    String instruction = String.join(" ", facts) + " What is " + subject + " to " + object + "?";
    String response =
        kinshipWork(chain, order)
            + " "
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

  /**
   * The worked solution of a kinship problem, in two lines: every fact restated as "parent of", in
   * the order the question gave them; then, after "From parent to child:", a walk down from the
   * eldest that adds one generation per step: "Ann is the parent of Bob." then "Ann is the
   * grandparent of Cal." (because "Bob is the parent of Cal."), down to the youngest. The caller
   * then states how many generations apart the two people asked about are: the number of steps.
   */
  static String kinshipWork(List<String> chain, List<Integer> order) {
    StringBuilder work = new StringBuilder();
    for (int i : order) {
      work.append(work.isEmpty() ? "" : " ").append(chain.get(i)).append(" is the parent of ");
      work.append(chain.get(i + 1));
      work.append('.');
    }
    work.append("\nFrom parent to child:");
    for (int j = 1; j < chain.size(); j++) {
      String relation = j == 1 ? "parent" : "great-".repeat(j - 2) + "grandparent";
      work.append(' ').append(chain.getFirst()).append(" is the ").append(relation).append(" of ");
      work.append(chain.get(j)).append('.');
    }
    return work.toString();
  }

  /**
   * Shuffles the facts (fact i links chain.get(i) and chain.get(i + 1)) and returns the link index
   * of each fact in its new position.
   */
  private static List<Integer> shuffledLinks(List<String> facts, SplittableRandom random) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < facts.size(); i++) {
      order.add(i);
    }
    Names.shuffle(order, random);
    List<String> original = List.copyOf(facts);
    for (int i = 0; i < order.size(); i++) {
      facts.set(i, original.get(order.get(i)));
    }
    return order;
  }
}
