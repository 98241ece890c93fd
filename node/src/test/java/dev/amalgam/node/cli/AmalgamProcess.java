package dev.amalgam.node.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code amalgam} command in its own JVM, as a user runs it: output lines are collected as they
 * come, and {@link #stop} sends SIGTERM like a service manager would.
 */
final class AmalgamProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  private AmalgamProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                      synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                      }
                    }
                  } catch (IOException e) {
                    // the process ended
                  }
                });
  }

  static AmalgamProcess start(String name, String... args) throws IOException {
    return startIn(null, name, args);
  }

  /** A bootstrap peer of {@code federation} on an ephemeral loopback port. */
  static AmalgamProcess startBootstrap(String federation) throws IOException {
    return start(
        "bootstrap",
        "bootstrap",
        "start",
        "--federation",
        federation,
        "--listen",
        "/ip4/127.0.0.1/tcp/0");
  }

  /** Runs it with extra environment variables (e.g. a test-only fault switch). */
  static AmalgamProcess startWithEnv(java.util.Map<String, String> env, String name, String... args)
      throws IOException {
    return startIn(null, env, name, args);
  }

  /** Runs it inside network namespace {@code netns} (null: this one) via {@code ip netns exec}. */
  static AmalgamProcess startIn(String netns, String name, String... args) throws IOException {
    return startIn(netns, java.util.Map.of(), name, args);
  }

  private static AmalgamProcess startIn(
      String netns, java.util.Map<String, String> env, String name, String... args)
      throws IOException {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
    }
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(
        List.of(
            "-Xmx160m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-Dai.djl.offline=true",
            "-cp",
            cp,
            Amalgam.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    return new AmalgamProcess(name, pb.start());
  }

  /** The first output line matching {@code p}, waiting up to {@code timeout} for it. */
  String awaitLine(Predicate<String> p, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        for (String l : lines) {
          if (p.test(l)) {
            return l;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && lines.stream().noneMatch(p))) {
          throw new AssertionError(
              name
                  + ": no line "
                  + what
                  + " within "
                  + timeout.toSeconds()
                  + " s; output:\n"
                  + output());
        }
        lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
      }
    }
  }

  /** The value after {@code prefix} on the first line starting with it. */
  String awaitValue(String prefix, Duration timeout) throws InterruptedException {
    return awaitLine(l -> l.startsWith(prefix), timeout, "'" + prefix + "…'")
        .substring(prefix.length())
        .strip();
  }

  /** The OS process, e.g. to see which processes it started. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  /** Its exit code once it ends by itself (killing it if it runs past {@code timeout}). */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(
          name + " did not exit within " + timeout.toSeconds() + " s:\n" + output());
    }
    reader.join(Duration.ofSeconds(5));
    return process.exitValue();
  }

  long count(Predicate<String> p) {
    synchronized (lines) {
      return lines.stream().filter(p).count();
    }
  }

  String name() {
    return name;
  }

  /** Every process's output under its name, for a failure message. */
  static String outputs(List<AmalgamProcess> processes) {
    StringBuilder b = new StringBuilder();
    for (AmalgamProcess p : processes) {
      b.append("---- ").append(p.name).append('\n').append(p.output()).append('\n');
    }
    return b.toString();
  }

  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** SIGINT, as Ctrl-C in a terminal sends it, then the exit code (waiting up to 20 s). */
  int interrupt() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -INT " + process.pid() + " failed");
    }
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(name + " did not exit within 20 s of SIGINT:\n" + output());
    }
    reader.join(Duration.ofSeconds(5));
    return process.exitValue();
  }

  /** SIGTERM, then the exit code (killing it if it does not exit in 20 s). */
  int stop() throws InterruptedException {
    // Process.destroy() would also close our end of its output pipe and lose the last lines.
    process.toHandle().destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(name + " did not exit within 20 s of SIGTERM:\n" + output());
    }
    reader.join(Duration.ofSeconds(5));
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
