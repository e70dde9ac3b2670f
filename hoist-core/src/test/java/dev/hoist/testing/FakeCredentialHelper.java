package dev.hoist.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A working {@code docker-credential-NAME} (a bash script) that keeps credentials in files beside
 * itself, speaking the docker-credential-helpers protocol: {@code store} reads {@code
 * {"ServerURL":…,"Username":…,"Secret":…}}, {@code get} prints it back, {@code erase} removes it;
 * {@code get} and {@code erase} of an unknown server print {@code credentials not found in native
 * keychain} and exit 1. Every call's action is logged, and the stdin of the last call of each
 * action kept, for assertions.
 */
public final class FakeCredentialHelper {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final String name;

  private FakeCredentialHelper(Path dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  /** Writes {@code dir/docker-credential-NAME}; put {@code dir} on the helper search path. */
  public static FakeCredentialHelper install(Path dir, String name) throws IOException {
    Path script = dir.resolve("docker-credential-" + name);
    String text = String.join("\n",
        "#!/usr/bin/env bash",
        "dir=\"$(cd \"$(dirname \"$0\")\" && pwd)\"",
        "name='" + name + "'",
        "action=\"$1\"",
        "input=\"$(cat)\"",
        "printf '%s\\n' \"$action\" >> \"$dir/$name.calls\"",
        "printf '%s' \"$input\" > \"$dir/$name.$action.stdin\"",
        "store=\"$dir/$name.store\"",
        "mkdir -p \"$store\"",
        "key() { printf '%s' \"$1\" | od -An -tx1 | tr -d ' \\n'; }",
        "case \"$action\" in",
        "  store)",
        "    url=$(printf '%s' \"$input\" | sed -n 's/.*\"ServerURL\":\"\\([^\"]*\\)\".*/\\1/p')",
        "    [ -n \"$url\" ] || { echo 'no ServerURL'; exit 2; }",
        "    printf '%s' \"$input\" > \"$store/$(key \"$url\")\" ;;",
        "  get)",
        "    f=\"$store/$(key \"$input\")\"",
        "    if [ -f \"$f\" ]; then cat \"$f\"; echo; else echo 'credentials not found in native keychain'; exit 1; fi ;;",
        "  erase)",
        "    f=\"$store/$(key \"$input\")\"",
        "    if [ -f \"$f\" ]; then rm \"$f\"; else echo 'credentials not found in native keychain'; exit 1; fi ;;",
        "  *) echo \"unknown action $action\"; exit 3 ;;",
        "esac",
        "");
    Files.writeString(script, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return new FakeCredentialHelper(dir, name);
  }

  /** The directory holding the script. */
  public Path dir() {
    return dir;
  }

  /** The actions it was called with, oldest first. */
  public List<String> calls() throws IOException {
    Path calls = dir.resolve(name + ".calls");
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  /** What the last call with {@code action} read on stdin. */
  public String lastInput(String action) throws IOException {
    return Files.readString(dir.resolve(name + "." + action + ".stdin"), StandardCharsets.UTF_8);
  }

  /** What it keeps, by server URL: the JSON it was given by {@code store}. */
  public Map<String, JsonNode> stored() throws IOException {
    Map<String, JsonNode> stored = new LinkedHashMap<>();
    Path store = dir.resolve(name + ".store");
    if (!Files.isDirectory(store)) {
      return stored;
    }
    try (Stream<Path> files = Files.list(store)) {
      for (Path file : files.sorted().toList()) {
        JsonNode json = JSON.readTree(file.toFile());
        stored.put(json.path("ServerURL").asText(), json);
      }
    }
    return stored;
  }
}
