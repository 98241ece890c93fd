package dev.amalgam.node.cli;

import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.eval.TaskJsonl;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "tasks",
    mixinStandardHelpOptions = true,
    description = "Reasoning task families with exact-match answers.",
    subcommands = {TasksCommand.Generate.class, TasksCommand.ListFamilies.class})
final class TasksCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required (generate, list)");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the task families.")
  static final class ListFamilies implements Callable<Integer> {
    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (json) {
        JsonOutput.print(spec.commandLine().getOut(), TaskFamilies.names());
      } else {
        TaskFamilies.names().forEach(spec.commandLine().getOut()::println);
      }
      return Amalgam.EXIT_OK;
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Write N examples of a task family and split as JSONL {instruction, response, answer}.",
        "The same family, split, N and seed always give the same file; splits never overlap."
      })
  static final class Generate implements Callable<Integer> {
    @Option(
        names = "--task",
        required = true,
        paramLabel = "T",
        description = "Task family (see 'amalgam tasks list').")
    String task;

    @Option(
        names = "--split",
        defaultValue = "train",
        paramLabel = "S",
        description = "train, dev or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(
        names = "--n",
        defaultValue = "100",
        paramLabel = "N",
        description = "Number of examples (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(
        names = "--seed",
        defaultValue = "1",
        paramLabel = "K",
        description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = {"-o", "--output"},
        required = true,
        paramLabel = "FILE",
        description = "Output JSONL file.")
    Path output;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (n < 1) {
        throw new UserError("--n must be at least 1, got " + n);
      }
      List<TaskExample> examples =
          TaskFamilies.generate(TaskFamilies.byName(task), Split.parse(split), n, seed);
      TaskJsonl.write(output, examples);
      spec.commandLine()
          .getOut()
          .println(
              "wrote " + examples.size() + " " + task + " " + split + " examples to " + output);
      return Amalgam.EXIT_OK;
    }
  }
}
