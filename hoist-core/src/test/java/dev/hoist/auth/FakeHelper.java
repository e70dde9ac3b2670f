package dev.hoist.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes fake {@code docker-credential-NAME} bash scripts for tests. */
final class FakeHelper {
  private FakeHelper() {}

  /**
   * Writes an executable helper to {@code dir} that saves its stdin to {@code NAME.stdin} beside
   * itself, checks that its argument is {@code get}, then runs {@code body}.
   */
  static Path write(Path dir, String name, String body) throws IOException {
    return write(dir, name, "get", body);
  }

  /** As {@link #write(Path, String, String)}, for a helper that expects {@code action}. */
  static Path write(Path dir, String name, String action, String body) throws IOException {
    Path script = dir.resolve("docker-credential-" + name);
    String text =
        "#!/usr/bin/env bash\n"
            + "[ \"$1\" = " + action + " ] || { echo \"unexpected action $1\"; exit 3; }\n"
            + "cat > \"$(dirname \"$0\")/"
            + name
            + ".stdin\"\n"
            + body
            + "\n";
    Files.writeString(script, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  /** A helper that answers every request with this user name and secret. */
  static Path answering(Path dir, String name, String username, String secret) throws IOException {
    return write(
        dir,
        name,
        "printf '{\"ServerURL\":\"x\",\"Username\":\"%s\",\"Secret\":\"%s\"}\\n' '"
            + username
            + "' '"
            + secret
            + "'");
  }

  /** What the helper last read on stdin. */
  static String stdin(Path dir, String name) throws IOException {
    return Files.readString(dir.resolve(name + ".stdin"), StandardCharsets.UTF_8);
  }
}
