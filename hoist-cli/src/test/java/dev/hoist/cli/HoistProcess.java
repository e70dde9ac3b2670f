package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of the shaded hoist jar in a child JVM, with environment variables of its own (such as
 * {@code DOCKER_CONFIG}) and {@code stdin} piped in, so it has no console. Output is captured
 * through files in {@code work}, so a chatty child never blocks on a full pipe.
 */
record HoistProcess(int exitCode, String out, String err) {
  static HoistProcess run(Path work, Map<String, String> env, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty("hoist.jar")));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    builder.environment().remove("DOCKER_CONFIG");
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("hoist %s finished", args[0]).isTrue();
      return new HoistProcess(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  List<String> outLines() {
    return out.lines().toList();
  }

  /** Everything the process printed. */
  String output() {
    return out + err;
  }
}
