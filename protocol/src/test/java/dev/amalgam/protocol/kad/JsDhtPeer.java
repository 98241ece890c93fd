package dev.amalgam.protocol.kad;

import dev.amalgam.protocol.interop.JsProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * interop/dht-peer.mjs (js-libp2p with kad-dht and gossipsub) as a child process driven by stdin
 * commands; see {@link JsProcess}.
 */
public final class JsDhtPeer implements AutoCloseable {
  private final JsProcess process;
  private final String address;

  private JsDhtPeer(JsProcess process) throws InterruptedException {
    this.process = process;
    this.address = await("LISTENING", Duration.ofSeconds(60)).substring("LISTENING ".length());
  }

  public static JsDhtPeer start() throws IOException, InterruptedException {
    String debug = System.getenv("AMALGAM_JS_DEBUG");
    Map<String, String> env = debug == null ? Map.of() : Map.of("DEBUG", debug);
    JsProcess p = JsProcess.start("dht-peer.mjs", "js-dht-peer.log", env, List.of());
    try {
      return new JsDhtPeer(p);
    } catch (InterruptedException | RuntimeException | Error e) {
      p.close();
      throw e;
    }
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
    process.send(command);
    return await(expect, timeout);
  }

  /** Waits for the next line starting with {@code prefix}; fails on ERROR or process exit. */
  public String await(String prefix, Duration timeout) throws InterruptedException {
    return process.await(prefix, timeout);
  }

  @Override
  public void close() {
    process.close();
  }
}
