package dev.hoist.cli.progress;

import dev.hoist.pull.PullListener;
import java.io.PrintWriter;

/**
 * How a pull is shown: a {@link PullListener} for the library's events plus the few lines the
 * command prints itself. Implementations: a live terminal view, plain log lines, docker's JSON
 * stream, or nothing.
 */
public interface PullOutput extends PullListener, AutoCloseable {
  /** A line of its own, such as {@code Using default tag: latest} or the final status. */
  void line(String text);

  /** The last words of a failed command. */
  void error(String message);

  /** A closing line about the whole command, where this output shows one. */
  default void summary() {}

  /** Draws what is pending and stops any render thread. */
  @Override
  void close();

  /** Picks the output for {@code mode}; {@code AUTO} is a terminal view on a terminal. */
  static PullOutput of(ProgressMode mode, PrintWriter out, PrintWriter err) {
    return switch (mode.resolve()) {
      case TTY -> new TtyOutput(out, err, TerminalWidth.detect());
      case PLAIN -> new PlainOutput(out, err);
      case JSON -> new JsonOutput(out);
      case QUIET -> new QuietOutput(err);
      case AUTO -> throw new AssertionError("resolved above");
    };
  }
}
