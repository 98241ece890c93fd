package dev.amalgam.merge.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Problems needing both skills: a shuffled chain of 2 to 4 relative amounts ("Bob has 120 more
 * coins than Ann") anchored by one absolute amount; the question asks for the far end of the chain,
 * so the solver must order the facts and then add and subtract along them.
 *
 * <p>The worked solution has two lines. The first restates every fact, in the question's order,
 * with the known person first and the person it leads to right after ("Ann Bob + 120.", "Ann =
 * 10."): each sentence is a local rewrite of one question sentence. The second walks the chain from
 * the anchor ("From Ann = 10. Ann Bob: 10 + 120 = 130."): each step starts with the person just
 * computed, and the next person is the only name that directly follows that one anywhere before
 * (one lookup on one token); the sign and amount follow the pair in the first line, and the step
 * ends with one addition or subtraction. Names other than the line starts are written after a
 * space, as in the question: in both zoo tokenizers a name at a line start is a different token.
 */
public final class CompositeTask implements TaskFamily {

  private static final List<String> ITEMS = List.of("coins", "apples", "stamps", "books", "cards");

  private record Fact(String sentence, String restated) {}

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
    List<Fact> facts = new ArrayList<>();
    facts.add(
        new Fact(
            chain.getFirst() + " has " + value + " " + item + ".",
            chain.getFirst() + " = " + value + "."));
    StringBuilder walk = new StringBuilder("From " + chain.getFirst() + " = " + value + ".");
    for (int i = 1; i < chain.size(); i++) {
      long delta = 1 + random.nextInt(99);
      boolean more = random.nextBoolean() || value - delta < 1;
      long next = more ? value + delta : value - delta;
      String sign = more ? " + " : " - ";
      String link = chain.get(i - 1) + " " + chain.get(i);
      facts.add(
          new Fact(
              chain.get(i)
                  + " has "
                  + delta
                  + (more ? " more " : " fewer ")
                  + item
                  + " than "
                  + chain.get(i - 1)
                  + ".",
              link + sign + delta + "."));
      walk.append(' ')
          .append(link)
          .append(": ")
          .append(value)
          .append(sign)
          .append(delta)
          .append(" = ")
          .append(next)
          .append('.');
      value = next;
    }
    Names.shuffle(facts, random);
    String answer = Long.toString(value);
    String instruction =
        String.join(" ", facts.stream().map(Fact::sentence).toList())
            + " How many "
            + item
            + " does "
            + chain.getLast()
            + " have?";
    String restated = String.join(" ", facts.stream().map(Fact::restated).toList());
    return new TaskExample(instruction, restated + "\n" + walk + "\nAnswer: " + answer, answer);
  }
}
