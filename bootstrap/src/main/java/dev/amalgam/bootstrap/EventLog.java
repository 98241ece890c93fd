package dev.amalgam.bootstrap;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The one-line-per-event log of a running peer: {@code <UTC time> <event> <details>}. Events are
 * short fixed phrases ("peer connected", "card rejected") so that logs can be grepped.
 */
public final class EventLog {
  private final PrintStream out;

  public EventLog(PrintStream out) {
    this.out = out;
  }

  public void event(String event, String details) {
    String line =
        Instant.now().truncatedTo(ChronoUnit.MILLIS)
            + " "
            + event
            + (details.isEmpty() ? "" : " " + details.replaceAll("\\s*\\R\\s*", " "));
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
