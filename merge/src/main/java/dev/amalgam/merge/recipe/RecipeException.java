package dev.amalgam.merge.recipe;

/**
 * A recipe that cannot run. The message is one line: {@code file:line: what is wrong and the fix}.
 */
public final class RecipeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final int line;

  public RecipeException(String source, int line, String problem) {
    super(source + ":" + line + ": " + problem);
    this.source = source;
    this.line = line;
  }

  /** The recipe file name as given to the parser. */
  public String source() {
    return source;
  }

  /** The 1-based line the problem is on. */
  public int line() {
    return line;
  }
}
