package dev.amalgam.merge.eval;

import java.util.Locale;
import java.util.Optional;

/**
 * The one way answers are read from model output: the text after the last {@code Answer:} up to the
 * end of that line, normalized (trimmed, inner whitespace collapsed, a trailing period dropped,
 * lower case).
 */
public final class AnswerExtractor {

  private static final String MARKER = "answer:";

  private AnswerExtractor() {}

  public static Optional<String> extract(String output) {
    int at = output.toLowerCase(Locale.ROOT).lastIndexOf(MARKER);
    if (at < 0) {
      return Optional.empty();
    }
    String rest = output.substring(at + MARKER.length());
    int newline = rest.indexOf('\n');
    String line = newline < 0 ? rest : rest.substring(0, newline);
    String normalized = normalize(line);
    return normalized.isEmpty() ? Optional.empty() : Optional.of(normalized);
  }

  public static String normalize(String answer) {
    String text = answer.strip().replaceAll("\\s+", " ");
    while (text.endsWith(".")) {
      text = text.substring(0, text.length() - 1).strip();
    }
    return text.toLowerCase(Locale.ROOT);
  }

  /** Whether the output's extracted answer equals the expected answer exactly (normalized). */
  public static boolean isCorrect(String output, String expected) {
    return extract(output).map(a -> a.equals(normalize(expected))).orElse(false);
  }
}
