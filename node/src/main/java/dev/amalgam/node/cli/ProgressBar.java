package dev.amalgam.node.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long work on stderr: a redrawn bar on a terminal, otherwise a plain line at every
 * 10%. Thread-safe; updates are throttled to a few per second.
 */
final class ProgressBar {
  private final PrintWriter err;
  private final String label;
  private final String unit;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private long totalUnits;
  private long totalBytes;
  private long units;
  private long bytes;
  private long lastDraw;
  private int lastDecile = -1;
  private String detail = "";

  ProgressBar(PrintWriter err, String label, String unit, boolean terminal) {
    this.err = err;
    this.label = label;
    this.unit = unit;
    this.terminal = terminal;
  }

  static boolean onTerminal() {
    return System.console() != null && System.console().isTerminal();
  }

  synchronized void start(long totalUnits, long totalBytes) {
    this.totalUnits = totalUnits;
    this.totalBytes = totalBytes;
    draw(true);
  }

  synchronized void advance(long unitDelta, long byteDelta) {
    units += unitDelta;
    bytes += byteDelta;
    draw(units == totalUnits);
  }

  /** Extra text after the figures, e.g. {@code 3 peers}; shown at the next redraw. */
  synchronized void detail(String text) {
    this.detail = text.isEmpty() ? "" : ", " + text;
  }

  synchronized void finish() {
    if (terminal) {
      err.print("\r\033[K");
      err.flush();
    }
  }

  private void draw(boolean force) {
    long now = System.nanoTime();
    double fraction =
        totalBytes > 0
            ? (double) bytes / totalBytes
            : totalUnits > 0 ? (double) units / totalUnits : 1;
    if (terminal) {
      if (!force && now - lastDraw < 200_000_000L) {
        return;
      }
      lastDraw = now;
      int width = 30;
      int filled = (int) Math.round(fraction * width);
      err.print(
          "\r\033[K"
              + label
              + " ["
              + "#".repeat(filled)
              + " ".repeat(width - filled)
              + "] "
              + status(fraction, now));
      err.flush();
    } else {
      int decile = (int) Math.floor(fraction * 10);
      if (decile != lastDecile) {
        lastDecile = decile;
        err.println(label + " " + status(fraction, now));
        err.flush();
      }
    }
  }

  private String status(double fraction, long now) {
    double seconds = (now - startNanos) / 1e9;
    double rate = seconds > 0 ? bytes / seconds : 0;
    String eta =
        fraction > 0 && fraction < 1
            ? String.format(Locale.ROOT, ", ETA %.0fs", seconds / fraction - seconds)
            : "";
    String size =
        totalBytes == 0
            ? ""
            : String.format(
                Locale.ROOT,
                ", %s of %s, %s/s",
                Bytes.human(bytes),
                Bytes.human(totalBytes),
                Bytes.human((long) rate));
    return String.format(
        Locale.ROOT,
        "%3.0f%% %d/%d %s%s%s%s",
        fraction * 100,
        units,
        totalUnits,
        unit,
        size,
        detail,
        eta);
  }
}
