package dev.amalgam.protocol.interop;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A js-libp2p peer (interop/peer.mjs) as a child process; see {@link JsProcess}. */
final class JsPeer implements AutoCloseable {
  private final JsProcess process;

  private JsPeer(JsProcess process) {
    this.process = process;
  }

  static JsPeer start(String... args) throws IOException, InterruptedException {
    return new JsPeer(JsProcess.start("peer.mjs", "js-peer.log", Map.of(), List.of(args)));
  }

  /** Waits for the next line starting with {@code prefix}; fails on ERROR or process exit. */
  String await(String prefix, Duration timeout) throws InterruptedException {
    return process.await(prefix, timeout);
  }

  /** Collects every line up to and including the one starting with {@code last}. */
  List<String> collectUntil(String last, Duration timeout) throws InterruptedException {
    return process.collectUntil(last, timeout);
  }

  int waitForExit(Duration timeout) throws InterruptedException {
    return process.waitForExit(timeout);
  }

  @Override
  public void close() {
    process.close();
  }
}
