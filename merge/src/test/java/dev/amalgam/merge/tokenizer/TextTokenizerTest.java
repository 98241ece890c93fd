package dev.amalgam.merge.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

  private static TextTokenizer tokenizer;

  @BeforeAll
  static void load() throws URISyntaxException {
    tokenizer =
        TextTokenizer.load(
            Path.of(TextTokenizerTest.class.getResource("/tokenizer/tokenizer.json").toURI()));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void encodesWordsDigitsAndPunctuationWithCharOffsets() {
    TokenizedText text = tokenizer.encode("Answer: 12+3 is the");
    assertThat(text.tokens())
        .containsExactly("Answer", ":", " ", "1", "2", "+", "3", " ", "is", " ", "the");
    assertThat(text.ids()).containsExactly(104, 31, 5, 22, 23, 16, 24, 5, 107, 5, 106);
    assertThat(text.starts()).containsExactly(0, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16);
    assertThat(text.ends()).containsExactly(6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 19);
  }

  @Test
  void wordsWithoutMergesSplitIntoCharacters() {
    assertThat(tokenizer.encode("tax").tokens()).containsExactly("t", "a", "x");
    assertThat(tokenizer.encode("other").tokens()).containsExactly("o", "the", "r");
  }

  @Test
  void decodeRestoresTheText() {
    String text = "Who is taller?\nAnswer: Bob (12 - 7 = 5).";
    assertThat(tokenizer.decode(tokenizer.encodeIds(text))).isEqualTo(text);
  }

  @Test
  void specialTokensAreRecognizedAndCanBeSkippedWhenDecoding() {
    int[] ids = tokenizer.encodeIds("<s>is</s>");
    assertThat(ids).containsExactly(1, 107, 2);
    assertThat(tokenizer.decode(ids)).isEqualTo("<s>is</s>");
    assertThat(tokenizer.decode(ids, true)).isEqualTo("is");
  }

  @Test
  void unknownCharactersBecomeTheUnknownToken() {
    assertThat(tokenizer.encodeIds("é")).containsExactly(3);
  }

  @Test
  void longTextsAreNotTruncated() {
    String text = "1".repeat(2000);
    assertThat(tokenizer.encodeIds(text)).hasSize(2000);
  }

  @Test
  void looksUpTokenIdsAndVocabularySize() {
    assertThat(tokenizer.idOf("</s>")).hasValue(2);
    assertThat(tokenizer.idOf("Answer")).hasValue(104);
    assertThat(tokenizer.idOf("nope")).isEmpty();
    assertThat(tokenizer.vocabularySize()).isEqualTo(108);
  }

  @Test
  void rejectsIdsOutsideTheVocabularyWhenDecoding() {
    assertThatThrownBy(() -> tokenizer.decode(new int[] {5, 108}))
        .hasMessage("token id 108 at index 1 outside [0, 108)");
  }

  @Test
  void loadsFromACheckpointDirectoryAndNamesAMissingFile(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> TextTokenizer.load(dir))
        .hasMessage(dir.resolve("tokenizer.json") + ": tokenizer file not found");
    Files.copy(
        Path.of(TextTokenizerTest.class.getResource("/tokenizer/tokenizer.json").toURI()),
        dir.resolve("tokenizer.json"));
    try (TextTokenizer fromDirectory = TextTokenizer.load(dir)) {
      assertThat(fromDirectory.encodeIds("the")).containsExactly(106);
    }
  }

  @Test
  void rejectsMalformedJsonNamingTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tokenizer.json");
    Files.writeString(file, "{\"model\": ");
    assertThatThrownBy(() -> TextTokenizer.load(file))
        .hasMessageStartingWith(file + ": not valid JSON");
  }
}
