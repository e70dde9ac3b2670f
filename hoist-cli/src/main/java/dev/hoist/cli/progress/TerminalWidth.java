package dev.hoist.cli.progress;

import java.io.File;
import java.util.concurrent.TimeUnit;

/** The terminal's width: {@code $COLUMNS}, else what {@code stty size} says of /dev/tty, else 80. */
final class TerminalWidth {
  private TerminalWidth() {}

  static int detect() {
    String columns = System.getenv("COLUMNS");
    if (columns != null && columns.matches("\\d+")) {
      return Integer.parseInt(columns);
    }
    return fromStty();
  }

  static int fromStty() {
    try {
      Process p = new ProcessBuilder("stty", "size")
          .redirectInput(new File("/dev/tty"))
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("\\d+ \\d+")) {
        return Integer.parseInt(out.split(" ")[1]);
      }
    } catch (Exception e) {
      // No terminal to ask: fall back to the classic width.
    }
    return 80;
  }
}
