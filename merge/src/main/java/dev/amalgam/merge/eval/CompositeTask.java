package dev.amalgam.merge.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Problems needing both skills: a shuffled chain of 2 to 4 relative amounts ("Bob has 120 more
 * coins than Ann") anchored by one absolute amount; the question asks for the far end of the chain,
 * so the solver must order the facts and then add and subtract along them.
 *
 * <p>The worked solution is one line of sentences joined by spaces ("Tia = 972. Ned = 972 + 68 =
 * 1040.") so that every name but the first is written after a space, as in the question: in both
 * zoo tokenizers a name at a line start is a different token from the same name after a space.
 */
public final class CompositeTask implements TaskFamily {

  private static final List<String> ITEMS = List.of("coins", "apples", "stamps", "books", "cards");

  @Override
  public String name() {
    return "composite";
  }

  @Override
  public TaskExample sample(SplittableRandom random) {
    int links = 2 + random.nextInt(3);
    List<String> chain = Names.pick(random, links + 1);
    String item = ITEMS.get(random.nextInt(ITEMS.size()));
    long value = 10 + random.nextInt(990);
    List<String> facts = new ArrayList<>();
    facts.add(chain.getFirst() + " has " + value + " " + item + ".");
    StringBuilder work = new StringBuilder(chain.getFirst() + " = " + value + ".");
    for (int i = 1; i < chain.size(); i++) {
      long delta = 1 + random.nextInt(99);
      boolean more = random.nextBoolean() || value - delta < 1;
      long next = more ? value + delta : value - delta;
      facts.add(
          chain.get(i)
              + " has "
              + delta
              + (more ? " more " : " fewer ")
              + item
              + " than "
              + chain.get(i - 1)
              + ".");
      work.append(' ')
          .append(chain.get(i))
          .append(" = ")
          .append(value)
          .append(more ? " + " : " - ")
          .append(delta)
          .append(" = ")
          .append(next)
          .append('.');
      value = next;
    }
    Names.shuffle(facts, random);
    String answer = Long.toString(value);
    String instruction =
        String.join(" ", facts) + " How many " + item + " does " + chain.getLast() + " have?";
    return new TaskExample(instruction, work + "\nAnswer: " + answer, answer);
  }
}
