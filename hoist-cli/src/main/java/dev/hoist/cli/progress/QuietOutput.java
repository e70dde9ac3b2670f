package dev.hoist.cli.progress;

import java.io.PrintWriter;

/** {@code -q}: no progress at all; only errors, and the lines the command insists on. */
final class QuietOutput implements PullOutput {
  private final PrintWriter err;

  QuietOutput(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void line(String text) {}

  @Override
  public void error(String message) {
    err.println("Error: " + message);
    err.flush();
  }

  @Override
  public void close() {}
}
