package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.node.daemon.NodeDaemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A card heard on gossip while its signer does not answer is not lost: the listener ignores it,
 * asks again a few seconds later and then lists the expert, long before the signer's next
 * announcement (10 min).
 */
@Timeout(120)
class CardRetryProcessesTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final String FEDERATION = "retry";
  private final List<AmalgamProcess> processes = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    processes.forEach(AmalgamProcess::close);
  }

  @Test
  void cardIgnoredWhileItsSignerIsSilentIsAcceptedOnALaterTry(@TempDir Path dir) throws Exception {
    AmalgamProcess bootstrap = track(AmalgamProcess.startBootstrap(FEDERATION));
    String boot = bootstrap.awaitValue("listening on ", START);
    Path signerHome = dir.resolve("signer");
    Path listenerHome = dir.resolve("listener");
    CliRun.initLoopbackHome(signerHome, boot, FEDERATION);
    CliRun.initLoopbackHome(listenerHome, boot, FEDERATION);
    String first = addExpert(signerHome, TinyModels.variant(dir.resolve("first"), 300), "first");
    // the test switch holds the signer's card service silent for 7 s after each expert added to
    // the running node: longer than the 5 s a listener waits, shorter than its next try
    AmalgamProcess signer =
        track(
            AmalgamProcess.startWithEnv(
                Map.of(NodeDaemon.TEST_ONLY_SILENT_CARDS_MS_ENV, "7000"),
                "signer",
                "node",
                "start",
                "--home",
                signerHome.toString()));
    AmalgamProcess listener =
        track(AmalgamProcess.start("listener", "node", "start", "--home", listenerHome.toString()));
    signer.awaitValue("listening on ", START);
    listener.awaitValue("listening on ", START);
    awaitExpert(listenerHome, first, Duration.ofSeconds(30));

    String late = addExpert(signerHome, TinyModels.variant(dir.resolve("late"), 301), "late");
    listener.awaitLine(
        l -> l.contains(" card ignored " + late) && l.endsWith("; will ask again"),
        Duration.ofSeconds(30),
        "'card ignored … will ask again'");
    awaitExpert(listenerHome, late, Duration.ofSeconds(40));
    assertThat(listener.count(l -> l.contains(" card accepted " + late))).isEqualTo(1);
  }

  private AmalgamProcess track(AmalgamProcess p) {
    processes.add(p);
    return p;
  }

  private static String addExpert(Path home, Path ckpt, String name) {
    CliRun add =
        CliRun.of("expert", "add", ckpt.toString(), "--home", home.toString(), "--name", name);
    assertThat(add.exitCode()).as(add.err()).isZero();
    return add.out().strip();
  }

  private void awaitExpert(Path home, String id, Duration timeout) throws Exception {
    ExpertListing.await(home, List.of(id), timeout, processes);
  }
}
