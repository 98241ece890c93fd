package dev.amalgam.node.demo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tells the demo one line per step: its number, the time since the demo started, and what it did.
 * Steps that run side by side are numbered in the order they finish.
 */
public final class Narrator {
  /** A step as told, for the report. */
  public record Step(int number, double elapsedSeconds, double seconds, String text) {}

  private final PrintWriter out;
  private final int total;
  private final long start = System.nanoTime();
  private final List<Step> steps = new ArrayList<>();

  public Narrator(PrintWriter out, int total) {
    this.out = out;
    this.total = total;
  }

  /** A timer for one step; {@link Timer#done} tells it. */
  public Timer begin() {
    return new Timer(System.nanoTime());
  }

  /** A step's start time. */
  public final class Timer {
    private final long began;

    private Timer(long began) {
      this.began = began;
    }

    public void done(String text) {
      tell((System.nanoTime() - began) / 1e9, text);
    }
  }

  public double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  private synchronized void tell(double seconds, String text) {
    Step s = new Step(steps.size() + 1, elapsedSeconds(), seconds, text);
    steps.add(s);
    int width = Integer.toString(total).length();
    out.printf(
        Locale.ROOT,
        "[%" + width + "d/%d] %6.1f s  %s (%.1f s)%n",
        s.number(),
        total,
        s.elapsedSeconds(),
        text,
        seconds);
    out.flush();
  }

  public synchronized List<Step> steps() {
    return List.copyOf(steps);
  }
}
