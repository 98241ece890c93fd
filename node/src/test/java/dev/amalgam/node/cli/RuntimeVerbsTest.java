package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeVerbsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String EXAMPLE = InspectCommandTest.EXAMPLE.toString();
  private static final String ARITH =
      Path.of(System.getProperty("user.dir")).getParent().resolve("zoo/models/arith").toString();

  @TempDir Path dir;

  @Test
  void tasksGenerateIsDeterministicForASeed() throws Exception {
    Path a = dir.resolve("a.jsonl");
    Path b = dir.resolve("b.jsonl");
    assertThat(
            CliRun.of(
                    "tasks",
                    "generate",
                    "--task",
                    "composite",
                    "--split",
                    "dev",
                    "--n",
                    "5",
                    "--seed",
                    "9",
                    "-o",
                    a.toString())
                .exitCode())
        .isZero();
    assertThat(
            CliRun.of(
                    "tasks",
                    "generate",
                    "--task",
                    "composite",
                    "--split",
                    "dev",
                    "--n",
                    "5",
                    "--seed",
                    "9",
                    "-o",
                    b.toString())
                .exitCode())
        .isZero();
    assertThat(Files.readAllLines(a)).hasSize(5).isEqualTo(Files.readAllLines(b));
    assertThat(JSON.readTree(Files.readAllLines(a).getFirst()).fieldNames())
        .toIterable()
        .containsExactly("instruction", "response", "answer");
  }

  @Test
  void unknownTaskFamilyIsOneClearLine() {
    CliRun run =
        CliRun.of("tasks", "generate", "--task", "poetry", "-o", dir.resolve("x").toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).contains("poetry");
  }

  @Test
  void evalReportsAccuracyWithAnIntervalPerFamily() throws Exception {
    CliRun run =
        CliRun.of(
            "eval",
            EXAMPLE,
            "--task",
            "arithmetic,relational",
            "--n",
            "3",
            "--batch",
            "3",
            "--max-tokens",
            "4",
            "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode results = JSON.readTree(run.out()).get("results");
    assertThat(results).hasSize(2);
    for (JsonNode r : results) {
      assertThat(r.get("total").asInt()).isEqualTo(3);
      assertThat(r.get("ci95").get(0).asDouble()).isLessThanOrEqualTo(r.get("accuracy").asDouble());
      assertThat(r.get("ci95").get(1).asDouble())
          .isGreaterThanOrEqualTo(r.get("accuracy").asDouble());
    }
  }

  @Test
  void evalSamplesRecordEveryExampleWithTheModelsOutputAndVerdict() throws Exception {
    Path samples = dir.resolve("samples.jsonl");
    CliRun run = evalArithOnBothFamilies("4", "--json", "--samples", samples.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode results = JSON.readTree(run.out()).get("results");
    var lines = Files.readAllLines(samples);
    assertThat(lines).hasSize(8);
    int[] correct = new int[2];
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = JSON.readTree(lines.get(i));
      int family = i < 4 ? 0 : 1;
      assertThat(line.get("task").asText()).isEqualTo(family == 0 ? "arithmetic" : "relational");
      assertThat(line.get("index").asInt()).isEqualTo(i % 4);
      assertThat(line.get("output").asText()).isNotEmpty();
      boolean right = line.get("extracted").asText("").equals(line.get("answer").asText());
      assertThat(line.get("correct").asBoolean()).isEqualTo(right);
      correct[family] += right ? 1 : 0;
    }
    assertThat(correct[0]).isEqualTo(results.get(0).get("correct").asInt());
    assertThat(correct[1]).isEqualTo(results.get(1).get("correct").asInt());
  }

  /** The arith zoo expert evaluated on arithmetic and relational, n examples each. */
  private static CliRun evalArithOnBothFamilies(String n, String... options) {
    List<String> args =
        new ArrayList<>(List.of("eval", ARITH, "--task", "arithmetic,relational", "--n", n));
    args.addAll(List.of(options));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void evalSamplesToAnUnwritablePathFailsWithOneLineBeforeAnyWork() {
    Path missing = dir.resolve("no-such-dir/samples.jsonl");
    CliRun run =
        CliRun.of("eval", EXAMPLE, "--task", "arithmetic", "--samples", missing.toString());
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.errLines()).isEqualTo(1);
    assertThat(run.err()).contains("--samples").contains(missing.toString());
  }

  @Test
  void evalLogLikShowsTheArithmeticExpertAtHomeOnlyInItsOwnFamily() throws Exception {
    CliRun run = evalArithOnBothFamilies("8", "--max-tokens", "2", "--loglik", "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode results = JSON.readTree(run.out()).get("results");
    double own = results.get(0).get("loglik").asDouble();
    double other = results.get(1).get("loglik").asDouble();
    assertThat(own).isNegative().isGreaterThan(-0.5);
    assertThat(other).isLessThan(-2);
    for (JsonNode r : results) {
      assertThat(r.get("loglik_ci95").get(0).asDouble())
          .isLessThanOrEqualTo(r.get("loglik").asDouble());
      assertThat(r.get("loglik_ci95").get(1).asDouble())
          .isGreaterThanOrEqualTo(r.get("loglik").asDouble());
    }
  }

  @Test
  void scoreGivesEveryPositionItsTokenAndTopK() throws Exception {
    CliRun run = CliRun.of("score", EXAMPLE, "--text", "what is 1+2?", "--top-k", "3", "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode positions = JSON.readTree(run.out()).get("positions");
    assertThat(positions.size()).isGreaterThan(3);
    assertThat(positions.get(0).get("logprob").isNull()).isTrue();
    assertThat(positions.get(1).get("top")).hasSize(3);
    assertThat(positions.get(1).get("logprob").asDouble()).isLessThan(0);
  }

  @Test
  void generateStopsAtTheTokenBudget() throws Exception {
    CliRun run =
        CliRun.of("generate", EXAMPLE, "--prompt", "what is 1+2?", "--max-tokens", "3", "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(JSON.readTree(run.out()).get("tokens").asInt()).isBetween(1, 3);
  }

  @Test
  void modelWithoutTokenizerIsOneClearLine() throws Exception {
    Files.copy(
        InspectCommandTest.EXAMPLE.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    Files.copy(InspectCommandTest.EXAMPLE.resolve("config.json"), dir.resolve("config.json"));
    CliRun run = CliRun.of("score", dir.toString(), "--text", "hi");
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err()).contains("has no tokenizer.json");
  }
}
