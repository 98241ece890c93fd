package dev.amalgam.protocol.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in two network namespaces joined by a veth pair find each other by mDNS and ping over
 * the addresses they found. Multicast never touches the machine's own interfaces: the namespaces
 * and the veth pair are created here and deleted afterwards. Skipped where namespaces cannot be
 * made (not root, no iproute2).
 */
class MdnsNamespaceTest {
  private final String suffix = Long.toString(ProcessHandle.current().pid() % 100000);
  private final String nsA = "amA" + suffix;
  private final String nsB = "amB" + suffix;
  private final List<Process> probes = new ArrayList<>();

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  @BeforeEach
  void createNamespaces() throws Exception {
    boolean ok = run("ip", "netns", "add", nsA) == 0;
    assumeThat(ok).as("ip netns add works here (root, iproute2)").isTrue();
    String vethA = "vA" + suffix;
    String vethB = "vB" + suffix;
    String[][] setup = {
      {"ip", "netns", "add", nsB},
      {
        "ip", "link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB, "netns",
        nsB
      },
      {"ip", "-n", nsA, "addr", "add", "10.213.0.1/24", "dev", vethA},
      {"ip", "-n", nsB, "addr", "add", "10.213.0.2/24", "dev", vethB},
      {"ip", "-n", nsA, "link", "set", vethA, "up"},
      {"ip", "-n", nsB, "link", "set", vethB, "up"},
      {"ip", "-n", nsA, "link", "set", "lo", "up"},
      {"ip", "-n", nsB, "link", "set", "lo", "up"},
    };
    for (String[] cmd : setup) {
      assertThat(run(cmd)).as(String.join(" ", cmd)).isZero();
    }
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    for (Process p : probes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    run("ip", "netns", "del", nsA);
    run("ip", "netns", "del", nsB);
  }

  private BlockingQueue<String> probe(String ns, String ip, String iface, String... extra)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.add(MdnsProbe.class.getName());
    cmd.addAll(List.of(ip, iface));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    probes.add(p);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (IOException e) {
                lines.add("read failed " + e);
              }
            });
    return lines;
  }

  private static String await(BlockingQueue<String> lines, String prefix, List<String> log)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(1, TimeUnit.SECONDS);
      if (l != null) {
        log.add(l);
        if (l.startsWith(prefix)) {
          return l;
        }
      }
    }
    lines.drainTo(log);
    throw new AssertionError("no '" + prefix + "' line; output so far: " + log);
  }

  @Test
  void nodesInTwoNamespacesFindAndPingEachOtherDespiteGarbagePackets() throws Exception {
    BlockingQueue<String> a = probe(nsA, "10.213.0.1", "vA" + suffix);
    BlockingQueue<String> b = probe(nsB, "10.213.0.2", "vB" + suffix, "--garbage");
    List<String> logA = new ArrayList<>();
    List<String> logB = new ArrayList<>();
    String idA = await(a, "id ", logA).substring(3);
    String idB = await(b, "id ", logB).substring(3);

    String foundByA = await(a, "found ", logA);
    String foundByB = await(b, "found ", logB);
    assertThat(foundByA).startsWith("found " + idB).contains("/ip4/10.213.0.2/tcp/");
    assertThat(foundByB).startsWith("found " + idA).contains("/ip4/10.213.0.1/tcp/");
    assertThat(await(a, "pinged ", logA)).startsWith("pinged " + idB);
    assertThat(await(b, "pinged ", logB)).startsWith("pinged " + idA);
    assertThat(logB).contains("sprayed");
  }
}
