package dev.amalgam.node.cli;

import dev.amalgam.merge.runtime.GreedyGenerator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Greedy generation (KV cache) from a prompt.")
final class GenerateCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", description = "Checkpoint directory.")
  Path model;

  @Option(names = "--prompt", required = true, paramLabel = "P", description = "The prompt.")
  String prompt;

  @Option(
      names = "--max-tokens",
      defaultValue = "64",
      paramLabel = "N",
      description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--json", description = "Print the completion as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (maxTokens < 1) {
      throw new UserError("--max-tokens must be at least 1, got " + maxTokens);
    }
    try (LoadedModel loaded = LoadedModel.load(model)) {
      int[] ids = loaded.tokenizer().encodeIds(prompt);
      if (loaded.format().bos() >= 0) {
        int[] withBos = new int[ids.length + 1];
        withBos[0] = loaded.format().bos();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        ids = withBos;
      }
      int[] out =
          new GreedyGenerator(loaded.model())
              .generate(List.of(ids), maxTokens, loaded.format().eos())
              .getFirst();
      if (out.length > 0 && out[out.length - 1] == loaded.format().eos()) {
        out = Arrays.copyOf(out, out.length - 1);
      }
      String completion = loaded.tokenizer().decode(out, true);
      if (json) {
        JsonOutput.print(
            spec.commandLine().getOut(),
            Map.of("prompt", prompt, "completion", completion, "tokens", out.length));
      } else {
        spec.commandLine().getOut().println(completion);
      }
    }
    return Amalgam.EXIT_OK;
  }
}
