package dev.amalgam.node.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code amalgam} verb in its own JVM. Its output (stdout and stderr together) is collected
 * line by line and copied to a log file as it comes.
 */
public final class AmalgamChild {
  private final String name;
  private final String verb;
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  AmalgamChild(String name, String verb, Process process, Path log) throws IOException {
    this.name = name;
    this.verb = verb;
    this.process = process;
    PrintWriter logWriter =
        new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
    // A platform thread: a virtual one may wait for a carrier while the machine is busy, and the
    // output must be read before the verb's exit is reported.
    this.reader =
        Thread.ofPlatform()
            .daemon()
            .name("output of " + name)
            .start(
                () -> {
                  try (logWriter;
                      BufferedReader r =
                          new BufferedReader(
                              new InputStreamReader(
                                  process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                      logWriter.println(line);
                      synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                      }
                    }
                  } catch (IOException e) {
                    // the process ended and closed its end of the pipe
                  }
                  synchronized (lines) {
                    lines.notifyAll();
                  }
                });
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The first output line matching {@code p}, waiting up to {@code timeout} for it. */
  public String awaitLine(Predicate<String> p, Duration timeout, String what)
      throws DemoException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        for (String l : lines) {
          if (p.test(l)) {
            return l;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new DemoException(
              name + ": no " + what + " within " + timeout.toSeconds() + " s" + lastLine());
        }
        if (!process.isAlive() && !reader.isAlive()) {
          throw new DemoException(
              name + ": `amalgam " + verb + "` exited " + process.exitValue() + lastLine());
        }
        lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
      }
    }
  }

  /** The rest of the first line starting with {@code prefix}. */
  public String awaitValue(String prefix, Duration timeout)
      throws DemoException, InterruptedException {
    return awaitLine(l -> l.startsWith(prefix), timeout, "'" + prefix.strip() + "' line")
        .substring(prefix.length())
        .strip();
  }

  /** Waits for the verb to finish; fails with its last output line unless it exits 0. */
  public List<String> awaitSuccess(Duration timeout) throws DemoException, InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new DemoException(
          name + ": `amalgam " + verb + "` still running after " + timeout.toSeconds() + " s");
    }
    reader.join(Duration.ofSeconds(5));
    if (process.exitValue() != 0) {
      throw new DemoException(
          name + ": `amalgam " + verb + "` exited " + process.exitValue() + lastLine());
    }
    return output();
  }

  public List<String> output() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  private String lastLine() {
    List<String> out = output();
    return out.isEmpty() ? " with no output" : ": " + out.get(out.size() - 1).strip();
  }

  /**
   * SIGTERM (the daemons close their hosts and databases on it), then SIGKILL after {@code grace}.
   * Returns true when it ended on SIGTERM.
   */
  boolean stop(Duration grace) throws InterruptedException {
    if (!process.isAlive()) {
      return true;
    }
    // Process.destroy() would also close our end of the pipe and lose the last lines.
    process.toHandle().destroy();
    if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    return false;
  }
}
