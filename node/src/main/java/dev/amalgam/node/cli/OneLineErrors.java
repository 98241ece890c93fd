package dev.amalgam.node.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure of a verb into one line on stderr and exit code 1. The stack trace appears only
 * with {@code --verbose}. Unexpected exceptions (bugs) say so, so users can tell them from bad
 * input.
 */
final class OneLineErrors implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
    PrintWriter err = cli.getErr();
    err.println(cli.getCommandSpec().qualifiedName(" ") + ": " + describe(e));
    if (isVerbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return Amalgam.EXIT_FAILURE;
  }

  static String describe(Throwable e) {
    if (e instanceof UserError || isExpected(e)) {
      return oneLine(e.getMessage());
    }
    return "internal error: "
        + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage()))
        + " (rerun with --verbose for the stack trace and report it)";
  }

  private static boolean isExpected(Throwable e) {
    return e.getMessage() != null
        && (e instanceof java.io.IOException
            || e instanceof IllegalArgumentException
            || e instanceof dev.amalgam.merge.runtime.TrainingDivergedException);
  }

  private static String oneLine(String message) {
    return message == null ? "failed" : message.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static boolean isVerbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
