package dev.amalgam.merge.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The text a vocabulary entry stands for, as bytes, so tokens of different tokenizers can be
 * compared: byte-level BPE characters (GPT-2's byte-to-unicode table: "Ġ" is a space, "Ċ" a
 * newline) are mapped back to their bytes, the Metaspace marker "▁" becomes a space, and
 * byte-fallback pieces such as {@code <0x0A>} become their byte. A surface is returned as a string
 * with one char per byte (ISO-8859-1), so a token holding half of a multi-byte character still has
 * an exact, comparable surface.
 */
public final class TokenSurfaces {

  /** How a tokenizer writes text into its token strings. */
  public enum Style {
    /** GPT-2 style byte-level: every byte is one printable character. */
    BYTE_LEVEL,
    /** SentencePiece style: "▁" marks a space, {@code <0xNN>} pieces carry raw bytes. */
    METASPACE,
    /** Tokens are the text itself (WordLevel and similar). */
    LITERAL
  }

  private static final char METASPACE = '\u2581';
  private static final int[] BYTE_OF_CHAR = byteLevelInverse();

  private TokenSurfaces() {}

  /** Reads the style from a tokenizer.json document: its decoder, else its pre-tokenizer. */
  public static Style style(JsonNode tokenizerJson) {
    for (String part : new String[] {"decoder", "pre_tokenizer"}) {
      JsonNode node = tokenizerJson.path(part);
      if (mentions(node, "ByteLevel")) {
        return Style.BYTE_LEVEL;
      }
      if (mentions(node, "Metaspace") || mentions(node, "ByteFallback")) {
        return Style.METASPACE;
      }
    }
    return Style.LITERAL;
  }

  private static boolean mentions(JsonNode node, String type) {
    if (node.isObject()) {
      if (type.equals(node.path("type").asText())) {
        return true;
      }
      for (JsonNode child : node) {
        if (mentions(child, type)) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        if (mentions(child, type)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The bytes of a token string's text, one char per byte. */
  public static String surface(String token, Style style) {
    if (token == null) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(token.length() + 4);
    if (style != Style.BYTE_LEVEL && isByteFallback(token)) {
      out.write(Integer.parseInt(token.substring(3, 5), 16));
      return out.toString(StandardCharsets.ISO_8859_1);
    }
    for (int i = 0; i < token.length(); ) {
      int codePoint = token.codePointAt(i);
      i += Character.charCount(codePoint);
      if (style == Style.BYTE_LEVEL
          && codePoint < BYTE_OF_CHAR.length
          && BYTE_OF_CHAR[codePoint] >= 0) {
        out.write(BYTE_OF_CHAR[codePoint]);
      } else if (codePoint == METASPACE && style != Style.BYTE_LEVEL) {
        out.write(' ');
      } else {
        out.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** The surfaces of a whole vocabulary, indexed by id (null where an id has no token). */
  public static String[] surfaces(String[] tokens, Style style) {
    String[] surfaces = new String[tokens.length];
    for (int id = 0; id < tokens.length; id++) {
      surfaces[id] = surface(tokens[id], style);
    }
    return surfaces;
  }

  /** Text (a Java string) as the one-char-per-byte form surfaces use. */
  public static String bytesOf(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static boolean isByteFallback(String token) {
    return token.length() == 6
        && token.startsWith("<0x")
        && token.endsWith(">")
        && Character.digit(token.charAt(3), 16) >= 0
        && Character.digit(token.charAt(4), 16) >= 0;
  }

  /**
   * GPT-2's table: printable Latin-1 bytes map to themselves, the other 68 bytes to code points
   * 256, 257, ... in byte order. Returned inverted: code point to byte, -1 where none.
   */
  private static int[] byteLevelInverse() {
    int[] inverse = new int[256 + 68];
    java.util.Arrays.fill(inverse, -1);
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      inverse[printable ? b : next++] = b;
    }
    return inverse;
  }
}
