package dev.amalgam.merge.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TaskGenerationTest {

  @ParameterizedTest
  @ValueSource(strings = {"arithmetic", "relational", "composite"})
  void sameSeedGivesSameExamplesAndOtherSeedsDiffer(String name) {
    TaskFamily family = TaskFamilies.byName(name);
    List<TaskExample> first = TaskFamilies.generate(family, Split.TRAIN, 50, 7);
    assertThat(TaskFamilies.generate(TaskFamilies.byName(name), Split.TRAIN, 50, 7))
        .isEqualTo(first);
    assertThat(TaskFamilies.generate(family, Split.TRAIN, 50, 8)).isNotEqualTo(first);
    assertThat(first.stream().map(TaskExample::instruction).distinct()).hasSize(50);
  }

  @ParameterizedTest
  @ValueSource(strings = {"arithmetic", "relational", "composite"})
  void splitsAreDisjointEvenAcrossSeeds(String name) {
    TaskFamily family = TaskFamilies.byName(name);
    Set<String> train = instructions(TaskFamilies.generate(family, Split.TRAIN, 1500, 1));
    Set<String> dev = instructions(TaskFamilies.generate(family, Split.DEV, 200, 2));
    Set<String> test = instructions(TaskFamilies.generate(family, Split.TEST, 200, 1));
    assertThat(train).doesNotContainAnyElementsOf(dev).doesNotContainAnyElementsOf(test);
    assertThat(dev).doesNotContainAnyElementsOf(test);
    for (String instruction : test) {
      assertThat(Split.of(name, instruction)).isEqualTo(Split.TEST);
    }
  }

  private static Set<String> instructions(List<TaskExample> examples) {
    Set<String> set = new HashSet<>();
    examples.forEach(e -> set.add(e.instruction()));
    return set;
  }

  private static final Pattern ARITHMETIC = Pattern.compile("What is (\\d+) ([+-]) (\\d+)\\?");

  @Test
  void arithmeticAnswersAreCorrectAndCarriesAndBorrowsOccur() {
    int carries = 0;
    int borrows = 0;
    for (TaskExample example : TaskFamilies.generate(new ArithmeticTask(), Split.TRAIN, 500, 3)) {
      Matcher m = ARITHMETIC.matcher(example.instruction());
      assertThat(m.matches()).as(example.instruction()).isTrue();
      long a = Long.parseLong(m.group(1));
      long b = Long.parseLong(m.group(3));
      long expected = m.group(2).equals("+") ? a + b : a - b;
      assertThat(expected).isNotNegative();
      assertThat(example.answer()).isEqualTo(Long.toString(expected));
      assertThat(AnswerExtractor.isCorrect(example.response(), example.answer())).isTrue();
      carries += example.response().contains("carry 1") ? 1 : 0;
      borrows += example.response().contains("borrow 1") ? 1 : 0;
    }
    assertThat(carries).isGreaterThan(100);
    assertThat(borrows).isGreaterThan(100);
  }

  @Test
  void additionWorksColumnsRightToLeftWithCarries() {
    assertThat(ArithmeticTask.addition(457, 86).response())
        .isEqualTo("7+6=13, carry 1\n5+8+1=14, carry 1\n4+0+1=5\nAnswer: 543");
    assertThat(ArithmeticTask.addition(95, 7).answer()).isEqualTo("102");
  }

  @Test
  void subtractionShowsBorrowsAcrossZeros() {
    assertThat(ArithmeticTask.subtraction(1000, 1).response())
        .isEqualTo(
            "10-1=9, borrow 1\n10-1-0=9, borrow 1\n10-1-0=9, borrow 1\n1-1-0=0\nAnswer: 999");
  }

  @Test
  void orderingWorkRestatesEveryFactUpwardThenWalksDownFromTheTopOneFactPerStep() {
    assertThat(
            RelationalTask.orderingWork(
                List.of("Max", "Oda", "Fay", "Pam"), List.of(2, 0, 1), "taller", "shorter"))
        .isEqualTo(
            "Fay is taller than Pam. Max is taller than Oda. Oda is taller than Fay.\n"
                + "From taller to shorter: Max is taller than Oda. Max is taller than Fay."
                + " Max is taller than Pam.");
  }

  @Test
  void kinshipWorkRestatesEveryFactAsParentThenAddsOneGenerationPerStep() {
    assertThat(RelationalTask.kinshipWork(List.of("Ann", "Bob", "Cal", "Dee"), List.of(1, 2, 0)))
        .isEqualTo(
            "Bob is the parent of Cal. Cal is the parent of Dee. Ann is the parent of Bob.\n"
                + "From parent to child: Ann is the parent of Bob. Ann is the grandparent of Cal."
                + " Ann is the great-grandparent of Dee.");
  }

  @Test
  void relationalResponsesRestateTheQuestionsFactsInItsOrderAndEndWithTheAnswer() {
    for (TaskExample example : TaskFamilies.generate(new RelationalTask(), Split.TEST, 200, 3)) {
      String[] facts = example.instruction().replaceAll(" (Who|What) .*", "").split("(?<=\\.) ");
      String[] lines = example.response().split("\n");
      assertThat(lines).as(example.response()).hasSize(3);
      StringBuilder restated = new StringBuilder();
      for (String fact : facts) {
        restated.append(restated.isEmpty() ? "" : " ").append(canonical(fact));
      }
      assertThat(lines[0]).as(example.instruction()).isEqualTo(restated.toString());
      assertThat(lines[1]).startsWith("From ");
      assertThat(lines[2]).isEqualTo("Answer: " + example.answer());
    }
  }

  /** A fact in the direction the scratchpad restates it: "more" and "parent of". */
  private static String canonical(String fact) {
    Matcher kin = PARENT.matcher(fact);
    if (kin.matches()) {
      return kin.group(2).equals("parent")
          ? fact
          : kin.group(3) + " is the parent of " + kin.group(1) + ".";
    }
    Matcher m = MORE.matcher(fact);
    assertThat(m.matches()).as(fact).isTrue();
    String word = m.group(2);
    return OPPOSITE.containsKey(word)
        ? m.group(3) + " is " + OPPOSITE.get(word) + " than " + m.group(1) + "."
        : fact;
  }

  private static final Pattern MORE = Pattern.compile("(\\w+) is (\\w+) than (\\w+)\\.");
  private static final Pattern PARENT =
      Pattern.compile("(\\w+) is the (parent|child) of (\\w+)\\.");

  @Test
  void relationalAnswersFollowFromTheFactsForEveryChainLength() {
    Set<Integer> chainLengths = new HashSet<>();
    for (TaskExample example : TaskFamilies.generate(new RelationalTask(), Split.TRAIN, 400, 5)) {
      String text = example.instruction();
      assertThat(AnswerExtractor.isCorrect(example.response(), example.answer())).isTrue();
      if (text.contains("parent") || text.contains("child")) {
        chainLengths.add(checkKinship(example));
      } else {
        chainLengths.add(checkOrdering(example));
      }
    }
    assertThat(chainLengths).containsExactlyInAnyOrder(2, 3, 4, 5);
  }

  private static final Map<String, String> OPPOSITE =
      Map.of("shorter", "taller", "younger", "older", "slower", "faster", "lighter", "heavier");

  /** Solves an ordering problem by walking the "more" relation; returns the number of facts. */
  private static int checkOrdering(TaskExample example) {
    Map<String, String> moreThan = new HashMap<>();
    Matcher m = MORE.matcher(example.instruction());
    int facts = 0;
    while (m.find()) {
      facts++;
      if (OPPOSITE.containsKey(m.group(2))) {
        moreThan.put(m.group(3), m.group(1));
      } else {
        moreThan.put(m.group(1), m.group(3));
      }
    }
    Matcher q =
        Pattern.compile("Who is (\\w+), (\\w+) or (\\w+)\\?").matcher(example.instruction());
    assertThat(q.find()).isTrue();
    String x = q.group(2);
    String y = q.group(3);
    boolean xAboveY = reaches(moreThan, x, y);
    assertThat(xAboveY || reaches(moreThan, y, x)).isTrue();
    boolean askMore = !OPPOSITE.containsKey(q.group(1));
    assertThat(example.answer()).isEqualTo(askMore == xAboveY ? x : y);
    return facts;
  }

  private static boolean reaches(Map<String, String> next, String from, String to) {
    for (String at = next.get(from); at != null; at = next.get(at)) {
      if (at.equals(to)) {
        return true;
      }
    }
    return false;
  }

  private static int checkKinship(TaskExample example) {
    Map<String, String> childOf = new HashMap<>();
    Matcher m = PARENT.matcher(example.instruction());
    int facts = 0;
    while (m.find()) {
      facts++;
      if (m.group(2).equals("parent")) {
        childOf.put(m.group(1), m.group(3));
      } else {
        childOf.put(m.group(3), m.group(1));
      }
    }
    Matcher q = Pattern.compile("What is (\\w+) to (\\w+)\\?").matcher(example.instruction());
    assertThat(q.find()).isTrue();
    int down = distance(childOf, q.group(1), q.group(2));
    int up = distance(childOf, q.group(2), q.group(1));
    int generations = Math.max(down, up);
    String relation = down > 0 ? "grandparent" : "grandchild";
    assertThat(example.answer()).isEqualTo("great-".repeat(generations - 2) + relation);
    return facts;
  }

  private static int distance(Map<String, String> next, String from, String to) {
    int steps = 0;
    for (String at = from; at != null; at = next.get(at)) {
      if (at.equals(to)) {
        return steps;
      }
      steps++;
    }
    return -1;
  }

  private static final Pattern HAS = Pattern.compile("(\\w+) has (\\d+) (\\w+)\\.");
  private static final Pattern RELATIVE =
      Pattern.compile("(\\w+) has (\\d+) (more|fewer) \\w+ than (\\w+)\\.");

  @Test
  void compositeAnswersFollowFromTheShuffledFacts() {
    for (TaskExample example : TaskFamilies.generate(new CompositeTask(), Split.TRAIN, 300, 9)) {
      Map<String, Long> known = new HashMap<>();
      Matcher anchor = HAS.matcher(example.instruction());
      assertThat(anchor.find()).isTrue();
      known.put(anchor.group(1), Long.parseLong(anchor.group(2)));
      boolean progress = true;
      while (progress) {
        progress = false;
        Matcher m = RELATIVE.matcher(example.instruction());
        while (m.find()) {
          if (!known.containsKey(m.group(1)) && known.containsKey(m.group(4))) {
            long delta = Long.parseLong(m.group(2));
            long base = known.get(m.group(4));
            known.put(m.group(1), m.group(3).equals("more") ? base + delta : base - delta);
            progress = true;
          }
        }
      }
      Matcher q = Pattern.compile("does (\\w+) have\\?").matcher(example.instruction());
      assertThat(q.find()).isTrue();
      assertThat(example.answer()).isEqualTo(Long.toString(known.get(q.group(1))));
      assertThat(known.values()).allMatch(v -> v > 0);
      assertThat(AnswerExtractor.isCorrect(example.response(), example.answer())).isTrue();
    }
  }

  @Test
  void compositeWorkedSolutionRestatesEveryFactInOrderThenWalksTheChainByOneTokenLookups() {
    TaskExample first = TaskFamilies.generate(new CompositeTask(), Split.TEST, 1, 1).getFirst();
    assertThat(first.instruction())
        .isEqualTo(
            "Tia has 57 fewer apples than Ned. Ned has 769 apples. Eve has 97 fewer apples than"
                + " Tia. How many apples does Eve have?");
    assertThat(first.response())
        .isEqualTo(
            "Ned Tia - 57. Ned = 769. Tia Eve - 97.\n"
                + "From Ned = 769. Ned Tia: 769 - 57 = 712. Tia Eve: 712 - 97 = 615.\n"
                + "Answer: 615");
    Pattern restated = Pattern.compile("(\\w+) (\\w+) ([+-]) (\\d+)\\.|(\\w+) = (\\d+)\\.");
    Pattern step = Pattern.compile(" (\\w+) (\\w+): (\\d+) ([+-]) (\\d+) = (\\d+)\\.");
    for (TaskExample example : TaskFamilies.generate(new CompositeTask(), Split.TRAIN, 300, 5)) {
      String[] lines = example.response().split("\n");
      assertThat(lines).hasSize(3);
      // Line 1: one rewrite per question sentence, in the question's order.
      List<String> expected = new ArrayList<>();
      Matcher fact =
          Pattern.compile("(\\w+) has (\\d+) (?:(more|fewer) \\w+ than (\\w+)|\\w+)\\.")
              .matcher(example.instruction());
      while (fact.find()) {
        expected.add(
            fact.group(3) == null
                ? fact.group(1) + " = " + fact.group(2) + "."
                : fact.group(4)
                    + " "
                    + fact.group(1)
                    + (fact.group(3).equals("more") ? " + " : " - ")
                    + fact.group(2)
                    + ".");
      }
      assertThat(lines[0]).isEqualTo(String.join(" ", expected));
      // Line 2: each step starts from the person the previous step computed, uses the restated
      // fact that starts with that person, and does its arithmetic right.
      Matcher anchor = Pattern.compile("^From (\\w+) = (\\d+)\\.").matcher(lines[1]);
      assertThat(anchor.find()).as(lines[1]).isTrue();
      String person = anchor.group(1);
      long value = Long.parseLong(anchor.group(2));
      Matcher m = step.matcher(lines[1]);
      int steps = 0;
      while (m.find()) {
        assertThat(m.group(1)).isEqualTo(person);
        assertThat(Long.parseLong(m.group(3))).isEqualTo(value);
        assertThat(lines[0])
            .contains(m.group(1) + " " + m.group(2) + " " + m.group(4) + " " + m.group(5) + ".");
        // The next person is the one name written right after this one anywhere before the step.
        String before =
            example.instruction() + "\n" + lines[0] + "\n" + lines[1].substring(0, m.start());
        assertThat(
                Pattern.compile("\\b" + person + " ([A-Z]\\w*)")
                    .matcher(before)
                    .results()
                    .map(r -> r.group(1)))
            .containsExactly(m.group(2));
        long delta = Long.parseLong(m.group(5));
        value = m.group(4).equals("+") ? value + delta : value - delta;
        assertThat(Long.parseLong(m.group(6))).isEqualTo(value);
        person = m.group(2);
        steps++;
      }
      assertThat(steps).isEqualTo(expected.size() - 1);
      assertThat(lines[2]).isEqualTo("Answer: " + value);
      assertThat(restated.matcher(lines[0]).results().count()).isEqualTo(expected.size());
    }
  }

  @Test
  void familiesAreFoundByNameAndUnknownNamesAreRejected() {
    assertThat(TaskFamilies.names()).containsExactly("arithmetic", "relational", "composite");
    assertThatThrownBy(() -> TaskFamilies.byName("poetry"))
        .hasMessage("unknown task family 'poetry' (arithmetic, relational, composite)");
    assertThat(Split.parse("dev")).isEqualTo(Split.DEV);
    assertThatThrownBy(() -> Split.parse("validation"))
        .hasMessage("unknown split 'validation' (train, dev, test)");
  }

  @Test
  void failsClearlyWhenAFamilyCannotSupplyEnoughDistinctExamples() {
    TaskFamily tiny = new ArithmeticTask(1, 1);
    assertThatThrownBy(() -> TaskFamilies.generate(tiny, Split.TEST, 500, 1))
        .hasMessageStartingWith("task family arithmetic: found only")
        .hasMessageEndingWith("distinct test examples of 500 requested");
  }

  @Test
  void samplingIsAPureFunctionOfTheRandomState() {
    TaskExample a = new CompositeTask().sample(new SplittableRandom(99));
    TaskExample b = new CompositeTask().sample(new SplittableRandom(99));
    assertThat(a).isEqualTo(b);
  }
}
