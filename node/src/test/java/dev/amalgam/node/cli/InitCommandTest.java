package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitCommandTest {
  @TempDir Path dir;

  @Test
  void initPrintsThePeerIdAndRefusesASecondTime() {
    String home = dir.resolve("h").toString();
    CliRun first = CliRun.of("init", "--home", home, "--federation", "labs");
    assertThat(first.exitCode()).isZero();
    assertThat(first.out()).contains("peer id     12D3KooW").contains("federation  labs");
    CliRun second = CliRun.of("init", "--home", home);
    assertThat(second.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(second.errLines()).isEqualTo(1);
    assertThat(second.err()).contains("already holds a node identity");
  }
}
