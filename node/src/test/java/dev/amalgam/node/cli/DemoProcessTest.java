package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code amalgam demo} as a user runs it, in its own JVM, with small settings: the whole federation
 * story end to end, and nothing left running or on disk afterwards.
 */
class DemoProcessTest {

  @Test
  @Timeout(900)
  void demoRunsEveryStepConfirmsTheMergeOnNode2AndLeavesNoProcessOrWorkDirectory(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("report");
    Set<ProcessHandle> children = new HashSet<>();
    int exit;
    String output;
    try (AmalgamProcess demo =
        AmalgamProcess.start(
            "demo",
            "demo",
            "--n",
            "4",
            "--budget",
            "3",
            "--dev-n",
            "4",
            "--fuse-n",
            "32",
            "--out",
            out.toString())) {
      while (demo.handle().isAlive()) {
        demo.handle().descendants().forEach(children::add);
        Thread.sleep(100);
      }
      exit = demo.awaitExit(Duration.ofSeconds(30));
      output = demo.output();
    }
    assertThat(exit).as(output).isZero();
    assertThat(output).contains("[15/15]").contains("same expert id");
    assertThat(output)
        .containsPattern("(?m)^model +arithmetic +relational +composite$")
        .containsPattern("(?m)^base +\\d+\\.\\d% \\[")
        .containsPattern("(?m)^layer-wise merge +\\d+\\.\\d% \\[")
        .containsPattern("(?m)^fused +\\d+\\.\\d% \\[");

    Path html = out.resolve("report.html");
    assertThat(html).isRegularFile();
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertThat(page).contains("data:image/png;base64,").contains("layer-wise merge");
    assertThat(out.resolve("layerwise.yml")).isRegularFile();

    // the bootstrap peer, three daemons and the short verbs between them
    assertThat(children).as("processes the demo started").hasSizeGreaterThanOrEqualTo(4);
    assertThat(children.stream().filter(ProcessHandle::isAlive).toList())
        .as("processes left running")
        .isEmpty();
    Matcher work = Pattern.compile("work in (\\S+) \\(removed").matcher(output);
    assertThat(work.find()).as(output).isTrue();
    assertThat(Path.of(work.group(1))).doesNotExist();
  }
}
