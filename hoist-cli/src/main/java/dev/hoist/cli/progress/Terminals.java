package dev.hoist.cli.progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a standard stream is a terminal. Java 17 can only ask whether both standard input and
 * output are ({@link System#console()}), so on Linux the file descriptor's target is read from
 * {@code /proc/self/fd}; elsewhere the console decides.
 */
public final class Terminals {
  public static final int STDIN = 0;
  public static final int STDOUT = 1;

  private Terminals() {}

  public static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException e) {
      return System.console() != null;
    }
  }
}
