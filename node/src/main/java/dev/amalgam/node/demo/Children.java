package dev.amalgam.node.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts {@code amalgam} verbs as separate JVMs with the command line the {@code ./amalgam}
 * launcher uses (this JVM's java binary and class path, {@code $AMALGAM_JAVA_OPTS}), and stops
 * every one it started ({@link #stopAll}, also on {@link #close}).
 */
public final class Children implements AutoCloseable {
  private static final Duration GRACE = Duration.ofSeconds(10);

  private final Path logDir;
  private final List<String> javaCommand;
  private final List<AmalgamChild> started = new ArrayList<>();
  private boolean stopping;

  public Children(Path logDir) throws IOException {
    this.logDir = Files.createDirectories(logDir);
    this.javaCommand = javaCommand();
  }

  private static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    String opts = System.getenv("AMALGAM_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(Arrays.asList(opts.strip().split("\\s+")));
    }
    cmd.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-Dai.djl.offline=true",
            // Four JVMs live beside the demo on two cores: keep each one's JIT and GC threads few.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx384m",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.amalgam.node.cli.Amalgam"));
    return cmd;
  }

  /** Starts {@code amalgam ARGS}; {@code name} labels its log file and error messages. */
  public synchronized AmalgamChild start(String name, String... args) throws IOException {
    if (stopping) {
      throw new DemoException("not starting " + name + ": the demo is stopping");
    }
    List<String> cmd = new ArrayList<>(javaCommand);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String verb = args.length > 1 && !args[1].startsWith("-") ? args[0] + " " + args[1] : args[0];
    Path log = logDir.resolve(name.replaceAll("[^A-Za-z0-9._-]+", "-") + ".log");
    AmalgamChild child = new AmalgamChild(name, verb, p, log);
    started.add(child);
    return child;
  }

  /** Runs {@code amalgam ARGS} to completion; its output, or a failure with its last line. */
  public List<String> run(String name, Duration timeout, String... args)
      throws IOException, InterruptedException {
    return start(name, args).awaitSuccess(timeout);
  }

  public synchronized List<AmalgamChild> started() {
    return List.copyOf(started);
  }

  /** Stops every child still running, all at once, and starts no more; how many needed SIGKILL. */
  public int stopAll() throws InterruptedException {
    synchronized (this) {
      stopping = true;
    }
    List<AmalgamChild> alive = started().stream().filter(AmalgamChild::isAlive).toList();
    List<Thread> stoppers = new ArrayList<>();
    int[] killed = {0};
    for (AmalgamChild c : alive) {
      stoppers.add(
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try {
                      if (!c.stop(GRACE)) {
                        synchronized (killed) {
                          killed[0]++;
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    for (Thread t : stoppers) {
      t.join();
    }
    return killed[0];
  }

  @Override
  public void close() throws InterruptedException {
    stopAll();
  }
}
