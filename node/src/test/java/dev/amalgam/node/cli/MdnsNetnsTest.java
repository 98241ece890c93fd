package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes with no bootstrap peers find each other with mDNS. Multicast stays inside two network
 * namespaces this test creates, joined by a veth pair; the machine's own interfaces never see it.
 * Skipped, saying why, where network namespaces cannot be created (not root, no iproute2).
 */
@Timeout(120)
class MdnsNetnsTest {
  @TempDir Path dir;
  private final List<AmalgamProcess> processes = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    processes.forEach(AmalgamProcess::close);
    for (String ns : namespaces) {
      ip("netns", "del", ns);
    }
  }

  private static Result ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, "cannot run ip: " + e.getMessage());
    }
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, String.join(" ", cmd) + " timed out");
    }
    return new Result(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
  }

  private record Result(int code, String output) {}

  private void mustIp(String... args) throws Exception {
    Result r = ip(args);
    assertThat(r.code()).as("ip " + String.join(" ", args) + ": " + r.output()).isZero();
  }

  @Test
  void nodesWithoutBootstrapPeersFindEachOtherWithMdnsInsideNetworkNamespaces() throws Exception {
    String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    String nsA = "amalgam-" + tag + "-a";
    String nsB = "amalgam-" + tag + "-b";
    Result created = ip("netns", "add", nsA);
    Assumptions.assumeTrue(
        created.code() == 0,
        "network namespaces unavailable (needs root and iproute2): " + created.output());
    namespaces.add(nsA);
    mustIp("netns", "add", nsB);
    namespaces.add(nsB);
    String vethA = "amv" + tag + "a";
    String vethB = "amv" + tag + "b";
    mustIp("link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB, "netns", nsB);
    mustIp("-n", nsA, "addr", "add", "10.231.0.1/24", "dev", vethA);
    mustIp("-n", nsB, "addr", "add", "10.231.0.2/24", "dev", vethB);
    for (String[] nsDev : new String[][] {{nsA, vethA}, {nsB, vethB}}) {
      mustIp("-n", nsDev[0], "link", "set", "lo", "up");
      mustIp("-n", nsDev[0], "link", "set", nsDev[1], "up");
      mustIp("-n", nsDev[0], "route", "add", "224.0.0.0/4", "dev", nsDev[1]);
    }

    String[] ids = new String[2];
    Path[] homes = new Path[2];
    for (int i = 0; i < 2; i++) {
      homes[i] = dir.resolve("home" + i);
      CliRun init =
          CliRun.of(
              "init",
              "--home",
              homes[i].toString(),
              "--listen",
              "/ip4/0.0.0.0/tcp/4001",
              "--federation",
              "lan",
              "--api-port",
              "0");
      assertThat(init.exitCode()).as(init.err()).isZero();
      Path ckpt = TinyModels.variant(dir.resolve("expert" + i), 500 + i);
      CliRun add = CliRun.of("expert", "add", ckpt.toString(), "--home", homes[i].toString());
      assertThat(add.exitCode()).as(add.err()).isZero();
      ids[i] = add.out().strip();
    }
    AmalgamProcess a =
        AmalgamProcess.startIn(nsA, "nodeA", "node", "start", "--home", homes[0].toString());
    processes.add(a);
    AmalgamProcess b =
        AmalgamProcess.startIn(nsB, "nodeB", "node", "start", "--home", homes[1].toString());
    processes.add(b);
    Duration limit = Duration.ofSeconds(60);
    a.awaitLine(
        l -> l.contains(" peer discovered ") && l.contains("via mDNS at [/ip4/10.231.0.2/"),
        limit,
        "discovering B");
    a.awaitLine(l -> l.contains(" card accepted " + ids[1]), limit, "accepting B's card");
    b.awaitLine(l -> l.contains(" card accepted " + ids[0]), limit, "accepting A's card");
    assertThat(a.stop()).isZero();
    assertThat(b.stop()).isZero();
  }
}
