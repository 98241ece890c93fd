package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What {@code amalgam experts} lists for a node home, and waiting until it lists some ids. */
final class ExpertListing {
  private static final JsonMapper JSON = new JsonMapper();

  private ExpertListing() {}

  static Set<String> ids(Path home) throws Exception {
    CliRun run = CliRun.of("experts", "--home", home.toString(), "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    Set<String> ids = new HashSet<>();
    JSON.readTree(run.out()).forEach(e -> ids.add(e.get("id").asText()));
    return ids;
  }

  /**
   * Waits until the node of {@code home} lists every id of {@code expected}; on a timeout the
   * failure carries the output of {@code processes}.
   */
  static void await(
      Path home, Collection<String> expected, Duration timeout, List<AmalgamProcess> processes)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> seen = ids(home);
    while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      seen = ids(home);
    }
    assertThat(seen)
        .as(
            () ->
                "experts listed by "
                    + home
                    + " after "
                    + timeout.toSeconds()
                    + " s; the processes said:\n"
                    + AmalgamProcess.outputs(processes))
        .containsAll(expected);
  }
}
