package dev.amalgam.protocol.kad;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * interop/dht-peer.mjs (js-libp2p with kad-dht and gossipsub) as a child process on the pinned Node
 * 22 binary, driven by stdin commands; installs interop/node_modules with {@code npm ci} on first
 * use.
 */
public final class JsDhtPeer implements AutoCloseable {
  private static final Path INTEROP = Path.of("..", "interop").toAbsolutePath().normalize();
  private static final Path NODE = INTEROP.resolve("node_modules/.bin/node");
  private static final String EOF = "\u0000EOF";

  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private final String address;

  private JsDhtPeer(Process process) throws InterruptedException {
    this.process = process;
    this.stdin = process.getOutputStream();
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
    this.address = await("LISTENING", Duration.ofSeconds(60)).substring("LISTENING ".length());
  }

  static synchronized void ensureInstalled() throws IOException, InterruptedException {
    if (Files.isExecutable(NODE)) {
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

  public static JsDhtPeer start() throws IOException, InterruptedException {
    ensureInstalled();
    Files.createDirectories(Path.of("target"));
    ProcessBuilder pb =
        new ProcessBuilder(NODE.toString(), "dht-peer.mjs")
            .directory(INTEROP.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(new File("target/js-dht-peer.log")));
    String debug = System.getenv("AMALGAM_JS_DEBUG");
    if (debug != null) {
      pb.environment().put("DEBUG", debug);
    }
    Process p = pb.start();
    return new JsDhtPeer(p);
  }

  /** The js peer's {@code /ip4/…/tcp/…/p2p/…} address. */
  public String address() {
    return address;
  }

  public String peerId() {
    return address.substring(address.lastIndexOf('/') + 1);
  }

  /** Sends a command and waits for its result line (which starts with {@code expect}). */
  public String call(String command, String expect, Duration timeout)
      throws IOException, InterruptedException {
    stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    return await(expect, timeout);
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

  @Override
  public void close() {
    try {
      stdin.close();
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
