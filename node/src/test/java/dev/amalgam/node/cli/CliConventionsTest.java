package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliConventionsTest {
  @Test
  void versionPrintsTheToolVersionAndExitsZero() {
    CliRun run = CliRun.of("--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("amalgam ");
  }

  @Test
  void everyVerbHasHelp() {
    Map<String, CommandLine> verbs = Amalgam.newCommandLine().getSubcommands();
    assertThat(verbs).isNotEmpty();
    for (String verb : verbs.keySet()) {
      if (verb.equals("help")) {
        continue;
      }
      CliRun run = CliRun.of(verb, "--help");
      assertThat(run.exitCode()).as(verb).isZero();
      assertThat(run.out()).as(verb).contains("Usage: amalgam " + verb);
    }
  }

  @Test
  void unknownVerbIsAUsageErrorWithExitCodeTwo() {
    CliRun run = CliRun.of("frobnicate");
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_USAGE);
    assertThat(run.err()).contains("Unmatched argument").contains("amalgam --help");
  }

  @Test
  void missingArgumentIsAUsageError() {
    CliRun run = CliRun.of("inspect");
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_USAGE);
    assertThat(run.err()).contains("Missing required parameter: 'PATH'");
  }

  @Test
  void noVerbIsAUsageError() {
    assertThat(CliRun.of().exitCode()).isEqualTo(Amalgam.EXIT_USAGE);
  }
}
