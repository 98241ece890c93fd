package dev.amalgam.node.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/** Bad command-line usage: one line naming the problem, a hint, and exit code 2. */
final class UsageErrors implements IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println(qualifiedName(cli) + ": " + e.getMessage());
    err.println("Try '" + qualifiedName(cli) + " --help' for usage.");
    err.flush();
    return Amalgam.EXIT_USAGE;
  }

  private static String qualifiedName(CommandLine cli) {
    return cli.getCommandSpec().qualifiedName(" ");
  }
}
