package dev.hoist.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure into one sentence on stderr and an exit code: 1 when the command failed, 2 when
 * it was called wrongly. The stack trace is printed only with {@code --debug}.
 */
final class Errors implements IExecutionExceptionHandler {
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    err.println("Error: " + message(e));
    if (parsed.originalArgs().contains("--debug")) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCode(e);
  }

  /** 2 for a command called wrongly (a bad reference, platform or flag), else 1. */
  static int exitCode(Exception e) {
    return e instanceof IllegalArgumentException ? USAGE : FAILED;
  }

  static int onParameterError(ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("Error: " + e.getMessage());
    err.println("See '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
    err.flush();
    return USAGE;
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return m;
  }
}
