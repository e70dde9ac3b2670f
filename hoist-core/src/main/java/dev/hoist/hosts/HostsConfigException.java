package dev.hoist.hosts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@code hosts.toml} or {@code registries.conf} file hoist cannot use: unreadable, not TOML, or a
 * setting with a wrong type or value. The message names the file and the key.
 */
public final class HostsConfigException extends IOException {
  private final Path file;
  private final String key;

  HostsConfigException(Path file, String key, String problem) {
    super(file + (key.isEmpty() ? "" : ": " + key) + ": " + problem);
    this.file = file;
    this.key = key;
  }

  HostsConfigException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.key = "";
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }

  /** The key at fault, as a dotted TOML path ({@code host."https://m".capabilities}), if one is. */
  public Optional<String> key() {
    return key.isEmpty() ? Optional.empty() : Optional.of(key);
  }
}
