package dev.amalgam.node.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code amalgam} command: one entry point, one verb per subcommand. */
@Command(
    name = "amalgam",
    mixinStandardHelpOptions = true,
    versionProvider = AmalgamVersion.class,
    description = "Decentralized LLM model merging: host experts, fetch, merge, fuse and evaluate.",
    subcommands = {
      InspectCommand.class,
      FingerprintCommand.class,
      InitCommand.class,
      MergeCommand.class,
      SearchCommand.class,
      VerifyCommand.class,
      TasksCommand.class,
      EvalCommand.class,
      ScoreCommand.class,
      GenerateCommand.class,
      TrainCommand.class,
      SummarizeCommand.class,
      FuseCommand.class,
      IdCommand.class,
      PingCommand.class,
      DhtCommand.class,
      PubsubCommand.class,
      FetchCommand.class,
      NodeCommand.class,
      BootstrapCommand.class,
      ExpertCommand.class,
      ExpertsCommand.class,
      SummaryCommand.class,
      SummariesCommand.class,
      PeersCommand.class,
      RoundCommand.class,
      RoundsCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class Amalgam implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces and debug detail on errors.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a verb is required");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams; returns the exit code. Used by tests in-process. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = newCommandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  public static CommandLine newCommandLine() {
    CommandLine cli = new CommandLine(new Amalgam());
    cli.setExecutionExceptionHandler(new OneLineErrors());
    cli.setParameterExceptionHandler(new UsageErrors());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExitCodeExceptionMapper(t -> EXIT_FAILURE);
    // Descriptions are written as lines of up to 100 columns; at picocli's default of 80 each
    // longer line was broken in two, leaving a ragged paragraph.
    cli.setUsageHelpWidth(100);
    return cli;
  }
}
