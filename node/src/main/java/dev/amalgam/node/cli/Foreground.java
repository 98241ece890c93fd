package dev.amalgam.node.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * For verbs that run until stopped: one-line JDK logging, and a wait that SIGTERM or SIGINT ends so
 * the verb can close everything and exit 0 (a plain shutdown hook would exit 143).
 */
final class Foreground {
  private Foreground() {}

  /** Makes java.util.logging print one line per record; call before anything logs. */
  static void oneLineLogging() {
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
  }

  /** Blocks until SIGTERM or SIGINT; returns the signal's name. */
  static String awaitStopSignal() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    String[] which = new String[1];
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          s -> {
            which[0] = "SIG" + s.getName();
            stop.countDown();
          });
    }
    stop.await();
    return which[0];
  }
}
