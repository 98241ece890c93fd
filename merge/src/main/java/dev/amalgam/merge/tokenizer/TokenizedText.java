package dev.amalgam.merge.tokenizer;

/**
 * A text's tokens: ids, token strings, and each token's [start, end) char offsets in the text
 * (offsets are what cross-tokenizer alignment needs).
 */
public record TokenizedText(int[] ids, String[] tokens, int[] starts, int[] ends) {

  public int size() {
    return ids.length;
  }
}
