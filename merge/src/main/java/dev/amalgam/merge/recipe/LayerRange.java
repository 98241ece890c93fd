package dev.amalgam.merge.recipe;

/** A half-open range of layers [start, end) of one source model. */
public record LayerRange(int start, int end) {
  public int count() {
    return end - start;
  }
}
