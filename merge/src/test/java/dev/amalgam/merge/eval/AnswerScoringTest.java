package dev.amalgam.merge.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswerScoringTest {

  @Test
  void extractsTheTextAfterTheLastAnswerMarkerOnItsLine() {
    assertThat(AnswerExtractor.extract("7+6=13\nAnswer: 543\nmore text")).hasValue("543");
    assertThat(AnswerExtractor.extract("Answer: 1\nanswer: 2")).hasValue("2");
    assertThat(AnswerExtractor.extract("ANSWER:   Great-Grandparent.  "))
        .hasValue("great-grandparent");
    assertThat(AnswerExtractor.extract("answer: two   words")).hasValue("two words");
  }

  @Test
  void outputsWithoutAnAnswerAreNeverCorrect() {
    assertThat(AnswerExtractor.extract("I think it is 5")).isEmpty();
    assertThat(AnswerExtractor.extract("Answer:   \n")).isEmpty();
    assertThat(AnswerExtractor.isCorrect("543", "543")).isFalse();
  }

  @Test
  void exactMatchComparesNormalizedAnswers() {
    assertThat(AnswerExtractor.isCorrect("work\nAnswer: Bob.", "Bob")).isTrue();
    assertThat(AnswerExtractor.isCorrect("Answer: 5430", "543")).isFalse();
    assertThat(AnswerExtractor.isCorrect("Answer: 543 apples", "543")).isFalse();
  }

  @Test
  void wilsonIntervalMatchesPublishedValues() {
    Accuracy accuracy = Accuracy.of(8, 10);
    assertThat(accuracy.rate()).isEqualTo(0.8);
    assertThat(accuracy.low()).isCloseTo(0.4902, within(1e-4));
    assertThat(accuracy.high()).isCloseTo(0.9433, within(1e-4));
    Accuracy none = Accuracy.of(0, 10);
    assertThat(none.low()).isEqualTo(0.0);
    assertThat(none.high()).isCloseTo(0.2775, within(1e-4));
    Accuracy all = Accuracy.of(100, 100);
    assertThat(all.high()).isEqualTo(1.0);
    assertThat(all.low()).isCloseTo(0.9630, within(1e-4));
  }

  @Test
  void scoresOutputsAgainstExamples() {
    List<TaskExample> examples =
        List.of(
            new TaskExample("What is 1 + 1?", "Answer: 2", "2"),
            new TaskExample("What is 2 + 2?", "Answer: 4", "4"));
    Accuracy accuracy = Accuracy.score(examples, List.of("Answer: 2", "Answer: 5"));
    assertThat(accuracy.correct()).isEqualTo(1);
    assertThat(accuracy.total()).isEqualTo(2);
    assertThatThrownBy(() -> Accuracy.score(examples, List.of("x")))
        .hasMessage("2 examples but 1 outputs");
    assertThatThrownBy(() -> Accuracy.of(3, 2))
        .hasMessage("accuracy needs 0 <= correct <= total and total > 0, got 3/2");
  }

  @Test
  void jsonlRoundTripsExamples(@TempDir Path dir) throws IOException {
    List<TaskExample> examples =
        TaskFamilies.generate(TaskFamilies.byName("relational"), Split.DEV, 20, 4);
    Path file = dir.resolve("dev.jsonl");
    TaskJsonl.write(file, examples);
    assertThat(Files.readAllLines(file))
        .hasSize(20)
        .allMatch(line -> line.startsWith("{\"instruction\":"));
    assertThat(TaskJsonl.read(file)).isEqualTo(examples);
  }

  @Test
  void jsonlErrorsNameTheFileLineAndField(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(
        file,
        TaskJsonl.toLine(new TaskExample("q", "Answer: a", "a"))
            + "\n{\"instruction\":\"q\",\"response\":\"r\"}\n");
    assertThatThrownBy(() -> TaskJsonl.read(file))
        .hasMessage(file + ":2: field 'answer' missing or not a string");
    Files.writeString(file, "{\"instruction\": \n");
    assertThatThrownBy(() -> TaskJsonl.read(file))
        .hasMessageStartingWith(file + ":1: not valid JSON");
    Files.writeString(file, "{\"instruction\":\"\",\"response\":\"r\",\"answer\":\"a\"}\n");
    assertThatThrownBy(() -> TaskJsonl.read(file))
        .hasMessage(file + ":1: task example: instruction is empty");
  }
}
