package dev.amalgam.merge.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.tokenizer.TextTokenizer;
import dev.amalgam.merge.tokenizer.TokenSurfaces;
import dev.amalgam.merge.tokenizer.TokenizedText;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Aligns texts tokenized by the real Llama-2 (SentencePiece BPE, "▁", byte fallback) and Qwen3
 * (byte-level BPE, "Ġ") tokenizers, loaded offline through DJL, and reports the share of Qwen3
 * tokens aligned one-to-one with an identical Llama-2 token.
 */
class RealTokenizerAlignmentTest {
  static final Map<String, String> TEXTS = new LinkedHashMap<>();

  static {
    TEXTS.put("numbers", "Tia = 972\nNed = 972 + 68 = 1040\nBob = 1040 + 18 = 1058\nAnswer: 1058");
    TEXTS.put(
        "code",
        "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(10)])");
    TEXTS.put("whitespace runs", "a    b\t\tc\n\n\n   d  \t e     f\n");
    TEXTS.put(
        "non-ASCII", "Zoë’s café costs 3,50 € — naïve jalapeño; 東京 has 1,400 万 people. ¿Qué?");
    TEXTS.put(
        "prose",
        "If every bloop is a razzie and every razzie is a lazzie, then every bloop is a lazzie.");
  }

  static TextTokenizer llama;
  static TextTokenizer qwen;
  static String[] llamaSurfaces;
  static String[] qwenSurfaces;

  @BeforeAll
  static void load() throws Exception {
    llama = TextTokenizer.load(InteropTokenizers.llama2());
    qwen = TextTokenizer.load(InteropTokenizers.qwen3());
    llamaSurfaces = llama.tokenSurfaces();
    qwenSurfaces = qwen.tokenSurfaces();
  }

  @AfterAll
  static void close() {
    llama.close();
    qwen.close();
  }

  static String[] surfaces(TextTokenizer tokenizer, String[] vocabulary, String text) {
    TokenizedText t = tokenizer.encode(text);
    String[] out = new String[t.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = vocabulary[t.ids()[i]];
    }
    return out;
  }

  @Test
  void detectsEachTokenizersSurfaceStyle() {
    assertThat(llama.surfaceStyle()).isEqualTo(TokenSurfaces.Style.METASPACE);
    assertThat(qwen.surfaceStyle()).isEqualTo(TokenSurfaces.Style.BYTE_LEVEL);
  }

  @Test
  void surfacesSpellTheTextBackByteForByte() {
    for (String text : TEXTS.values()) {
      String bytes = TokenSurfaces.bytesOf(text);
      assertThat(String.join("", surfaces(qwen, qwenSurfaces, text))).isEqualTo(bytes);
      // SentencePiece prepends "▁" to the text, so its surfaces start with one extra space.
      assertThat(String.join("", surfaces(llama, llamaSurfaces, text))).isEqualTo(" " + bytes);
    }
  }

  @Test
  void alignsEveryKindOfTextAndReportsTheShareOfExactOneToOneMatches() {
    long totalTarget = 0;
    long totalExact = 0;
    StringBuilder report = new StringBuilder("Llama-2 -> Qwen3 alignment:\n");
    for (Map.Entry<String, String> e : TEXTS.entrySet()) {
      String[] source = surfaces(llama, llamaSurfaces, e.getValue());
      String[] target = surfaces(qwen, qwenSurfaces, e.getValue());
      Alignment a = TokenAligner.align(source, target);
      double exact = (double) a.exactMatches() / target.length;
      report.append(
          String.format(
              Locale.ROOT,
              "  %-16s llama %3d tokens, qwen %3d tokens, one-to-one %5.1f%%, exact %5.1f%%%n",
              e.getKey(),
              source.length,
              target.length,
              100.0 * a.oneToOne() / target.length,
              100 * exact));
      totalTarget += target.length;
      totalExact += a.exactMatches();
      assertThat(a.exactMatches()).as(e.getKey()).isPositive();
    }
    double overall = (double) totalExact / totalTarget;
    report.append(
        String.format(Locale.ROOT, "  overall exact one-to-one share %.1f%%", 100 * overall));
    System.out.println(report);
    assertThat(overall).isGreaterThan(0.4);
  }

  @Test
  void digitsAndNewlinesMapExactlyAcrossVocabularies() {
    VocabularyMap map = new VocabularyMap(llamaSurfaces, qwenSurfaces);
    int newline = llama.idOf("<0x0A>").orElseThrow();
    assertThat(qwenSurfaces[map.map(newline)]).isEqualTo("\n");
    int seven = llama.idOf("7").orElseThrow();
    assertThat(qwenSurfaces[map.map(seven)]).isEqualTo("7");
    int word = llama.idOf("\u2581the").orElseThrow();
    assertThat(qwenSurfaces[map.map(word)]).isEqualTo(" the");
  }
}
