package dev.amalgam.merge.fusion;

import java.util.List;

/**
 * Checks, before any training, that summaries describe the data given and agree with each other.
 */
final class SummaryCompatibility {
  private SummaryCompatibility() {}

  static void check(FusionData data, List<Summary> summaries) {
    if (summaries.isEmpty()) {
      throw new IllegalArgumentException("fusion needs at least one summary");
    }
    Summary first = summaries.getFirst();
    for (Summary s : summaries) {
      SummaryManifest m = s.manifest();
      if (!m.dataset().equals(data.id())) {
        throw new IllegalArgumentException(
            s.location()
                + ": summary is of dataset "
                + m.dataset()
                + ", but "
                + data.file()
                + " has id "
                + data.id()
                + " (summarize this data file, or pass the data it was made from)");
      }
      if (m.sequences() != data.examples().size()) {
        throw new IllegalArgumentException(
            s.location()
                + ": summary has "
                + m.sequences()
                + " sequences, "
                + data.file()
                + " has "
                + data.examples().size()
                + " examples");
      }
      if (m.topK() != first.manifest().topK()) {
        throw new IllegalArgumentException(
            "summaries disagree on top-k: "
                + first.location()
                + " has k = "
                + first.manifest().topK()
                + ", "
                + s.location()
                + " has k = "
                + m.topK());
      }
    }
  }
}
