package dev.amalgam.merge.runtime;

/**
 * One training sequence. lossMask[t] says whether token t is a target (a response token); the
 * prompt's tokens give context but no loss.
 */
public record TrainingExample(int[] tokens, boolean[] lossMask) {

  public TrainingExample {
    if (tokens.length != lossMask.length) {
      throw new IllegalArgumentException(
          "training example: " + tokens.length + " tokens but " + lossMask.length + " mask flags");
    }
    if (tokens.length < 2) {
      throw new IllegalArgumentException("training example: needs at least 2 tokens");
    }
  }

  /** Prompt followed by response; the loss covers the response tokens only. */
  public static TrainingExample promptResponse(int[] prompt, int[] response) {
    int[] tokens = new int[prompt.length + response.length];
    boolean[] mask = new boolean[tokens.length];
    System.arraycopy(prompt, 0, tokens, 0, prompt.length);
    System.arraycopy(response, 0, tokens, prompt.length, response.length);
    for (int t = prompt.length; t < tokens.length; t++) {
      mask[t] = true;
    }
    return new TrainingExample(tokens, mask);
  }
}
