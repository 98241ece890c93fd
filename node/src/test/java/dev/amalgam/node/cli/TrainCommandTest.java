package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  @TempDir Path dir;

  private Path config(String extra) throws Exception {
    Path tokenizer = InspectCommandTest.EXAMPLE.resolve("tokenizer.json").toAbsolutePath();
    return Files.writeString(
        dir.resolve("train.yml"),
        """
        init:
          model_type: llama
          hidden_size: 32
          intermediate_size: 64
          num_hidden_layers: 1
          num_attention_heads: 2
          num_key_value_heads: 1
          vocab_size: 48
          tie_word_embeddings: true
        tokenizer: %s
        data:
          - {task: arithmetic, n: 50}
          - {task: relational, n: 50, weight: 0.5}
        steps: 3
        batch_size: 4
        learning_rate: 1.0e-3
        %s
        """
            .formatted(tokenizer, extra));
  }

  @Test
  void trainingTheSameConfigTwiceInOneProcessGivesTheSameCheckpoint() throws Exception {
    Path cfg = config("seed: 5\nlength_buckets: 2\nmicro_batches: 2");
    CliRun first = CliRun.of("train", cfg.toString(), "-o", dir.resolve("a").toString());
    CliRun second = CliRun.of("train", cfg.toString(), "-o", dir.resolve("b").toString());
    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(first.err()).contains("step 1  loss");
    assertThat(first.err().lines().filter(l -> l.startsWith("step "))).hasSize(1);
    assertThat(dir.resolve("a/amalgam-train.yml")).exists();
    assertThat(Files.readString(dir.resolve("a/config.json"))).contains("\"eos_token_id\" : 2");
    String a = CliRun.of("fingerprint", dir.resolve("a").toString()).out();
    String b = CliRun.of("fingerprint", dir.resolve("b").toString()).out();
    assertThat(a).isEqualTo(b);
  }

  @Test
  void aStepLineIsPrintedEveryLogEverySteps() throws Exception {
    Path cfg = config("log_every: 2");
    Files.writeString(cfg, Files.readString(cfg).replace("steps: 3\n", "steps: 5\n"));
    CliRun run = CliRun.of("train", cfg.toString(), "-o", dir.resolve("x").toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err().lines().filter(l -> l.startsWith("step ")).map(l -> l.split(" ")[1]))
        .containsExactly("1", "2", "4");
  }

  @Test
  void configErrorsNameTheProblemBeforeTraining() throws Exception {
    Path cfg = config("stepz: 4");
    CliRun run = CliRun.of("train", cfg.toString(), "-o", dir.resolve("x").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).contains("unknown key 'stepz'");
  }

  @Test
  void aDivergingRunStopsWithOneLineNamingTheStepAndWritesNoCheckpoint() throws Exception {
    Path cfg = config("warmup_steps: 0");
    Files.writeString(
        cfg,
        Files.readString(cfg)
            .replace("learning_rate: 1.0e-3", "learning_rate: 1.0e+6")
            .replace("steps: 3\n", "steps: 40\n"));
    CliRun run = CliRun.of("train", cfg.toString(), "-o", dir.resolve("x").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err().lines().filter(l -> !l.startsWith("step "))).hasSize(1);
    assertThat(run.err())
        .containsPattern("amalgam train: training diverged at step \\d+: loss")
        .doesNotContain("internal error");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void lengthBucketsMicroBatchesOrLogEveryBelowOneAreRejectedWithOneLine() throws Exception {
    for (String key : new String[] {"length_buckets", "micro_batches", "log_every"}) {
      Path cfg = config(key + ": 0");
      CliRun run = CliRun.of("train", cfg.toString(), "-o", dir.resolve("x").toString());
      assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
      assertThat(run.errLines()).as(run.err()).isEqualTo(1);
      assertThat(run.err()).contains(key + " is 0; need 1");
      assertThat(dir.resolve("x")).doesNotExist();
    }
  }

  @Test
  void moreMicroBatchesThanSequencesPerBatchAreRejectedWithOneLine() throws Exception {
    Path cfg = config("micro_batches: 5");
    CliRun run = CliRun.of("train", cfg.toString(), "-o", dir.resolve("x").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).as(run.err()).isEqualTo(1);
    assertThat(run.err())
        .contains("micro_batches is 5; need 1 (the batch in one pass) to batch_size (4)");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void unknownTaskInTheMixIsRejected() throws Exception {
    Path cfg = Files.writeString(dir.resolve("t.yml"), "base: .\ndata:\n  - {task: poetry}\n");
    CliRun run = CliRun.of("train", cfg.toString(), "-o", dir.resolve("x").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err()).contains("data task 'poetry' is not one of");
  }
}
