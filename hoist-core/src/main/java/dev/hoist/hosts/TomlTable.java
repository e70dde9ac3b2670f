package dev.hoist.hosts;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table of a TOML configuration file, read with Jackson's TOML parser, whose accessors check
 * types and name the file and the dotted key in every error.
 */
final class TomlTable {
  private static final Logger log = LoggerFactory.getLogger(TomlTable.class);
  /** Built on first parse, not when a file is merely read and found to need none. */
  private static final class Parser {
    static final TomlMapper MAPPER = new TomlMapper();
  }
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  private static final long MAX_BYTES = 1 << 20;

  private final Path file;
  private final String path;
  private final ObjectNode node;

  private TomlTable(Path file, String path, ObjectNode node) {
    this.file = file;
    this.path = path;
    this.node = node;
  }

  /** The root table of {@code file}. */
  static TomlTable read(Path file) throws IOException {
    return parse(file, readBytes(file));
  }

  /** The bytes of a configuration file, refused when it is unreadable or too large. */
  static byte[] readBytes(Path file) throws IOException {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new HostsConfigException(file, "", "larger than " + MAX_BYTES + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (HostsConfigException e) {
      throw e;
    } catch (IOException e) {
      throw new HostsConfigException(file, "cannot read it: " + e, e);
    }
  }

  /** Parses {@code bytes}, read from {@code file} (which names it in errors). */
  static TomlTable parse(Path file, byte[] bytes) throws IOException {
    JsonNode root;
    try {
      root = bytes.length == 0 ? Parser.MAPPER.createObjectNode() : Parser.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new HostsConfigException(file, "not valid TOML: " + e.getOriginalMessage() + where, e);
    }
    return new TomlTable(file, "", (ObjectNode) root);
  }

  Path file() {
    return file;
  }

  /** The dotted path of {@code key} in this table, as TOML would write it. */
  String keyPath(String key) {
    String quoted = BARE_KEY.matcher(key).matches() ? key : "\"" + key.replace("\"", "\\\"") + "\"";
    return path.isEmpty() ? quoted : path + "." + quoted;
  }

  HostsConfigException error(String key, String problem) {
    return new HostsConfigException(file, keyPath(key), problem);
  }

  boolean has(String key) {
    return node.has(key);
  }

  Iterator<Map.Entry<String, JsonNode>> entries() {
    return node.fields();
  }

  Optional<String> string(String key) throws HostsConfigException {
    JsonNode value = node.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw error(key, "expected a string, got " + describe(value));
    }
    return Optional.of(value.asText());
  }

  Optional<Boolean> bool(String key) throws HostsConfigException {
    JsonNode value = node.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isBoolean()) {
      throw error(key, "expected true or false, got " + describe(value));
    }
    return Optional.of(value.asBoolean());
  }

  /** An array of strings; absent is empty. */
  List<String> strings(String key) throws HostsConfigException {
    JsonNode value = node.get(key);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      throw error(key, "expected an array of strings, got " + describe(value));
    }
    return strings(key, value);
  }

  /** A string or an array of strings ({@code ca = "a.pem"} or {@code ca = ["a.pem", "b.pem"]}). */
  List<String> stringOrStrings(String key) throws HostsConfigException {
    JsonNode value = node.get(key);
    if (value == null) {
      return List.of();
    }
    if (value.isTextual()) {
      return List.of(value.asText());
    }
    if (!value.isArray()) {
      throw error(key, "expected a string or an array of strings, got " + describe(value));
    }
    return strings(key, value);
  }

  private List<String> strings(String key, JsonNode array) throws HostsConfigException {
    List<String> result = new ArrayList<>();
    for (JsonNode item : array) {
      if (!item.isTextual()) {
        throw error(key, "expected an array of strings, found " + describe(item) + " in it");
      }
      result.add(item.asText());
    }
    return result;
  }

  JsonNode raw(String key) {
    return node.get(key);
  }

  Optional<TomlTable> table(String key) throws HostsConfigException {
    JsonNode value = node.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isObject()) {
      throw error(key, "expected a table, got " + describe(value));
    }
    return Optional.of(new TomlTable(file, keyPath(key), (ObjectNode) value));
  }

  /** An array of tables ({@code [[registry]]}); absent is empty. */
  List<TomlTable> tables(String key) throws HostsConfigException {
    JsonNode value = node.get(key);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      throw error(key, "expected an array of tables ([[" + keyPath(key) + "]]), got " + describe(value));
    }
    List<TomlTable> result = new ArrayList<>();
    int i = 0;
    for (JsonNode item : value) {
      if (!item.isObject()) {
        throw error(key, "expected an array of tables, found " + describe(item) + " in it");
      }
      result.add(new TomlTable(file, keyPath(key) + "[" + i++ + "]", (ObjectNode) item));
    }
    return result;
  }

  /**
   * Logs the keys hoist does not know: a warning for a likely typo, a debug note for keys that are
   * known but not used by hoist ({@code ignored}).
   */
  void reportUnknownKeys(Set<String> known, Set<String> ignored) {
    node.fieldNames().forEachRemaining(key -> {
      if (ignored.contains(key)) {
        log.debug("{}: {} is not used by hoist", file, keyPath(key));
      } else if (!known.contains(key)) {
        log.warn("{}: ignoring unknown key {}", file, keyPath(key));
      }
    });
  }

  private static String describe(JsonNode value) {
    if (value.isTextual()) {
      return "the string \"" + value.asText() + "\"";
    }
    if (value.isArray()) {
      return "an array";
    }
    if (value.isObject()) {
      return "a table";
    }
    return value.toString();
  }
}
