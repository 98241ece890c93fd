package dev.amalgam.node.demo;

import dev.amalgam.merge.fusion.Summary;
import java.io.IOException;
import java.nio.file.Path;

/** How node 3's distribution summary reaches node 1 for fusion. */
public final class SummaryDelivery {
  private SummaryDelivery() {}

  /**
   * The directory on {@code receiver}'s side holding summary {@code summaryId}, published by {@code
   * publisher} in {@code publishedDir}.
   *
   * <p>Summaries do not travel over the network yet ({@code amalgam fuse --summary ID} fetching by
   * id is being built); until they do, the publisher's directory is handed over as a local path,
   * after checking that its manifest is the summary asked for. This is the one place to switch to
   * the network fetch.
   */
  public static Path handOverLocally(
      DemoNode publisher, DemoNode receiver, String summaryId, Path publishedDir)
      throws IOException {
    String found = Summary.readManifest(publishedDir).id().toString();
    if (!found.equals(summaryId)) {
      throw new DemoException(
          publishedDir
              + ": holds summary "
              + found
              + ", not "
              + summaryId
              + " that "
              + publisher.name()
              + " announced to "
              + receiver.name());
    }
    return publishedDir;
  }
}
