package dev.amalgam.merge.search;

/**
 * One recipe parameter the search tunes, with its bounds and start value.
 *
 * @param name the recipe key ({@code weight}, {@code density} or {@code t})
 * @param perModel whether every input model gets its own value (else one value per group)
 * @param lower the smallest value tried
 * @param upper the largest value tried
 * @param start the start point of the search
 */
public record SearchedParameter(
    String name, boolean perModel, double lower, double upper, double start) {

  public SearchedParameter {
    if (!(lower < upper) || start < lower || start > upper) {
      throw new IllegalArgumentException(
          name + ": start " + start + " outside bounds [" + lower + ", " + upper + "]");
    }
  }

  /** The value clamped into the bounds. */
  public double clamp(double value) {
    return Math.max(lower, Math.min(upper, value));
  }
}
