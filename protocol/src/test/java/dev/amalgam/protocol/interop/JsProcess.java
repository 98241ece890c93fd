package dev.amalgam.protocol.interop;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A script of interop/ running as a child process on the Node 22 binary pinned in
 * interop/package.json, read line by line. Installs interop/node_modules with {@code npm ci} on
 * first use.
 */
public final class JsProcess implements AutoCloseable {
  private static final Path INTEROP = Path.of("..", "interop").toAbsolutePath().normalize();
  private static final Path NODE = INTEROP.resolve("node_modules/.bin/node");
  private static final String EOF = "\u0000EOF";

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  private JsProcess(Process process) {
    this.process = process;
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
              lines.add(EOF);
            });
  }

  /** Runs {@code npm ci} unless node_modules was installed from the current lockfile. */
  static synchronized void ensureInstalled() throws IOException, InterruptedException {
    Path installed = INTEROP.resolve("node_modules/.package-lock.json");
    if (Files.isExecutable(NODE)
        && Files.exists(installed)
        && Files.getLastModifiedTime(installed)
                .compareTo(Files.getLastModifiedTime(INTEROP.resolve("package-lock.json")))
            >= 0) {
      return;
    }
    Files.createDirectories(Path.of("target"));
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
            .directory(INTEROP.toFile())
            .redirectErrorStream(true)
            .redirectOutput(new File("target/npm-ci.log"))
            .start();
    if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
      throw new IOException("npm ci in " + INTEROP + " failed; see target/npm-ci.log");
    }
  }

  /** Starts {@code node SCRIPT ARGS...} in interop/, with stderr appended to target/LOG. */
  public static JsProcess start(
      String script, String log, Map<String, String> env, List<String> args)
      throws IOException, InterruptedException {
    ensureInstalled();
    Files.createDirectories(Path.of("target"));
    List<String> cmd = new ArrayList<>(List.of(NODE.toString(), script));
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(INTEROP.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(new File("target/" + log)));
    pb.environment().putAll(env);
    return new JsProcess(pb.start());
  }

  /** Writes one line to the script's stdin. */
  public void send(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  /** Waits for the next line starting with {@code prefix}; fails on ERROR or process exit. */
  public String await(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new AssertionError(
            "js peer printed no '" + prefix + "' line in " + timeout + "; saw " + seen);
      }
      if (line.equals(EOF)) {
        lines.add(EOF);
        throw new AssertionError("js peer exited before printing '" + prefix + "'; saw " + seen);
      }
      seen.add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
      if (line.startsWith("ERROR")) {
        throw new AssertionError("js peer failed: " + line);
      }
    }
  }

  /** Collects every line up to and including the one starting with {@code last}. */
  public List<String> collectUntil(String last, Duration timeout) throws InterruptedException {
    int from = seen.size();
    await(last, timeout);
    return List.copyOf(seen.subList(from, seen.size()));
  }

  public int waitForExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("js peer did not exit within " + timeout);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
