package dev.hoist.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the external tools the harness relies on ({@code skopeo}, {@code umoci}, {@code htpasswd},
 * {@code openssl}, {@code tinyproxy}, {@code docker-registry}) and fails loudly: a failed run throws with the command,
 * the exit code and the combined output; a missing tool throws with the package to install.
 */
public final class Tools {
  /** Long enough for skopeo to push a 1 GiB layer to a loopback registry. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private static final Map<String, String> PACKAGES =
      Map.of(
          "docker-registry", "docker-registry",
          "htpasswd", "apache2-utils",
          "openssl", "openssl",
          "skopeo", "skopeo",
          "tinyproxy", "tinyproxy",
          "umoci", "umoci");

  private Tools() {}

  /** Runs {@code cmd} in {@code dir} and returns its stdout and stderr, interleaved. */
  public static String run(List<String> cmd, Path dir) throws IOException {
    return run(cmd, dir, DEFAULT_TIMEOUT);
  }

  /** Like {@link #run(List, Path)}, killing the tool and failing after {@code timeout}. */
  public static String run(List<String> cmd, Path dir, Duration timeout) throws IOException {
    Path output = Files.createTempFile("hoist-tool", ".out");
    try {
      Process process = start(new ProcessBuilder(cmd).directory(dir.toFile()), output);
      boolean exited;
      try {
        exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while running " + cmd);
      }
      if (!exited) {
        process.destroyForcibly();
        throw new IOException(
            "timed out after " + timeout + ": " + cmd + "\n" + Files.readString(output));
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IOException(
            "command failed with exit code " + process.exitValue() + ": " + cmd + "\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /**
   * Starts {@code builder}'s command with stdout and stderr appended to {@code log}, turning "no
   * such program" into an install hint.
   */
  static Process start(ProcessBuilder builder, Path log) throws IOException {
    builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      return builder.start();
    } catch (IOException e) {
      String tool = builder.command().get(0);
      if (Files.isExecutable(Path.of(tool))) {
        throw e;
      }
      throw new IOException(missing(tool), e);
    }
  }

  /** The message for a tool that is not installed. */
  static String missing(String tool) {
    String name = Path.of(tool).getFileName().toString();
    String pkg = PACKAGES.getOrDefault(name, name);
    String hint =
        name.equals("docker-registry") ? " (scripts/test does this when run as root)" : "";
    return name + " not found: install it with 'apt-get install -y " + pkg + "'" + hint;
  }
}
