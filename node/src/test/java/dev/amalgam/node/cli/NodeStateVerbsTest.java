package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node-state verbs with no daemon running: they work on the home's database directly. */
class NodeStateVerbsTest {
  @TempDir Path dir;
  private String home;

  @BeforeEach
  void init() {
    home = dir.resolve("home").toString();
    CliRun init =
        CliRun.of("init", "--home", home, "--federation", "labs", "--api-port", "0", "--no-mdns");
    assertThat(init.exitCode()).as(init.err()).isZero();
  }

  @Test
  void expertAddFingerprintsInPlaceAndListRemoveFollow() throws Exception {
    Path ckpt = InspectCommandTest.EXAMPLE.toAbsolutePath().normalize();
    String expected = CliRun.of("fingerprint", ckpt.toString()).out().strip();
    CliRun add =
        CliRun.of(
            "expert",
            "add",
            ckpt.toString(),
            "--home",
            home,
            "--name",
            "tiny",
            "--tag",
            "demo",
            "--score",
            "arithmetic=0.5");
    assertThat(add.exitCode()).as(add.err()).isZero();
    assertThat(add.out().strip()).isEqualTo(expected);
    assertThat(Files.list(dir.resolve("home").resolve("data"))).isEmpty();

    CliRun list = CliRun.of("expert", "list", "--home", home);
    assertThat(list.out())
        .contains(expected)
        .contains("tiny")
        .contains("demo")
        .contains(ckpt.toString());
    CliRun experts = CliRun.of("experts", "--home", home, "--json");
    assertThat(experts.out()).contains(expected).contains("\"arithmetic\" : 0.5");
    CliRun status = CliRun.of("node", "status", "--home", home);
    assertThat(status.out())
        .contains("(not running)")
        .contains("federation  labs")
        .contains("tiny");

    CliRun remove = CliRun.of("expert", "remove", expected, "--home", home);
    assertThat(remove.exitCode()).as(remove.err()).isZero();
    assertThat(CliRun.of("expert", "list", "--home", home, "--json").out().strip())
        .isEqualTo("[ ]");
    CliRun again = CliRun.of("expert", "remove", expected, "--home", home);
    assertThat(again.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(again.errLines()).isEqualTo(1);
    assertThat(again.err()).contains("this node hosts no expert " + expected);
  }

  @Test
  void expertAddOfAMissingPathFailsWithOneLine() {
    CliRun add = CliRun.of("expert", "add", dir.resolve("nope").toString(), "--home", home);
    assertThat(add.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(add.errLines()).isEqualTo(1);
    assertThat(add.err()).contains("nope: no such checkpoint");
  }

  @Test
  void badScoreAndBadBaseAreNamed() {
    String ckpt = InspectCommandTest.EXAMPLE.toString();
    CliRun score = CliRun.of("expert", "add", ckpt, "--home", home, "--score", "oops");
    assertThat(score.err()).contains("--score 'oops': expected TASK=NUMBER");
    CliRun base = CliRun.of("expert", "add", ckpt, "--home", home, "--base", "xyz");
    assertThat(base.errLines()).isEqualTo(1);
    assertThat(base.err()).contains("--base 'xyz': not an expert id");
  }

  @Test
  void peersWithoutDaemonListsRememberedPeers() {
    CliRun peers = CliRun.of("peers", "--home", home);
    assertThat(peers.exitCode()).isZero();
    assertThat(peers.err()).contains("no daemon runs on");
    assertThat(peers.out()).startsWith("PEER");
  }

  @Test
  void bootstrapWithABadDescriptorNamesFileAndLine() throws Exception {
    Path fed = dir.resolve("fed.yaml");
    Files.writeString(fed, "name: labs\nbootstrap:\n  - /ip4/127.0.0.1/tcp/4001\n");
    CliRun run = CliRun.of("bootstrap", "start", "--federation", fed.toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).contains(fed + ":3: bootstrap '/ip4/127.0.0.1/tcp/4001': missing /p2p/");
  }

  @Test
  void nodeStartWithoutAHomeSaysHowToCreateOne() {
    CliRun run = CliRun.of("node", "start", "--home", dir.resolve("none").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err()).contains("run 'amalgam init --home");
  }
}
