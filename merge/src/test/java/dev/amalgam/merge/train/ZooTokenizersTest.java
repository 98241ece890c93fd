package dev.amalgam.merge.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed zoo tokenizers (zoo/tokenizers/*) encode every task text losslessly. */
class ZooTokenizersTest {

  private static final int PER_FAMILY_AND_SPLIT = 400;

  private static Path tokenizer(String family) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("zoo/tokenizers"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("zoo/tokenizers above the working directory").isNotNull();
    return dir.resolve("zoo/tokenizers").resolve(family).resolve("tokenizer.json");
  }

  /** Prompt and response texts of every family and split, from a seed the training never uses. */
  private static List<String> taskTexts() {
    List<String> texts = new ArrayList<>();
    for (String name : TaskFamilies.names()) {
      for (Split split : Split.values()) {
        for (TaskExample e :
            TaskFamilies.generate(
                TaskFamilies.byName(name), split, PER_FAMILY_AND_SPLIT, 9_000 + split.ordinal())) {
          texts.add(e.prompt());
          texts.add(e.response());
        }
      }
    }
    return texts;
  }

  @ParameterizedTest
  @ValueSource(strings = {"family-a", "family-b"})
  void decodingTheEncodingOfEveryTaskTextGivesTheTextBack(String family) {
    List<String> texts = taskTexts();
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizer(family))) {
      int unk = tokenizer.idOf("<unk>").orElseThrow();
      for (String text : texts) {
        int[] ids = tokenizer.encodeIds(text);
        assertThat(ids).as("%s encodes %s without <unk>", family, text).doesNotContain(unk);
        assertThat(tokenizer.decode(ids, true)).as("%s round trip", family).isEqualTo(text);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"family-a", "family-b"})
  void bothHaveTheSpecialTokensTrainingAndEvaluationNeed(String family) {
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizer(family))) {
      assertThat(tokenizer.idOf("<unk>")).hasValue(0);
      assertThat(tokenizer.idOf("<s>")).hasValue(1);
      assertThat(tokenizer.idOf("</s>")).hasValue(2);
      assertThat(tokenizer.decode(new int[] {1, 2}, true)).isEmpty();
    }
  }

  @Test
  void familyAWritesDigitsAsSingleTokensAndFamilyBMarksWordStarts() {
    try (TextTokenizer a = TextTokenizer.load(tokenizer("family-a"));
        TextTokenizer b = TextTokenizer.load(tokenizer("family-b"))) {
      String text = "Bob has 120 more coins than Ann.";
      assertThat(a.encode(text).tokens())
          .containsExactly(
              "Bob", " has", " ", "1", "2", "0", " more", " coins", " than", " Ann", ".");
      assertThat(Arrays.asList(b.encode(text).tokens()))
          .startsWith("\u2581Bob", "\u2581has", "\u25811", "2", "0")
          .contains("\u2581more", "\u2581coins", "\u2581than", "\u2581Ann", ".");
      assertThat(a.vocabularySize()).isNotEqualTo(b.vocabularySize());
    }
  }
}
