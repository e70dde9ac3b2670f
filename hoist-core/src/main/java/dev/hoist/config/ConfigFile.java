package dev.hoist.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.internal.json.Json;
import dev.hoist.internal.net.ProxyUrl;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads hoist's configuration file, strictly, the way dockerd reads {@code daemon.json}: unknown
 * keys and invalid values are errors that name the file and the key, in docker's words where docker
 * has them. Relative paths in it are resolved against the file's directory.
 */
public final class ConfigFile {
  /** The environment variable that names the configuration file. */
  public static final String ENVIRONMENT = "HOIST_CONFIG";

  private static final long MAX_BYTES = 1 << 20;
  private static final Set<String> KEYS = Set.of(
      "store", "insecure-registries", "registry-mirrors", "max-concurrent-downloads",
      "max-download-attempts", "hosts-dir", "registries-conf", "certs-dirs", "mirror-fallback",
      "proxies");
  private static final Set<String> PROXY_KEYS = Set.of("http-proxy", "https-proxy", "no-proxy");

  private ConfigFile() {}

  /**
   * Where the configuration file is looked for: {@code $HOIST_CONFIG}, else {@code
   * $XDG_CONFIG_HOME/hoist/config.json}, else {@code ~/.config/hoist/config.json}.
   */
  public static Path defaultPath() {
    return defaultPath(System.getenv());
  }

  /**
   * The environment variable that chose {@link #defaultPath()}: {@code HOIST_CONFIG} or {@code
   * XDG_CONFIG_HOME}; empty when neither is set (the file is then {@code
   * ~/.config/hoist/config.json}).
   */
  public static Optional<String> defaultPathVariable() {
    return defaultPathVariable(System.getenv());
  }

  static Optional<String> defaultPathVariable(Map<String, String> env) {
    return Stream.of(ENVIRONMENT, "XDG_CONFIG_HOME")
        .filter(name -> !env.getOrDefault(name, "").isBlank())
        .findFirst();
  }

  static Path defaultPath(Map<String, String> env) {
    return switch (defaultPathVariable(env).orElse("")) {
      case ENVIRONMENT -> Path.of(env.get(ENVIRONMENT));
      case "XDG_CONFIG_HOME" -> Path.of(env.get("XDG_CONFIG_HOME"), "hoist", "config.json");
      default -> Path.of(System.getProperty("user.home"), ".config", "hoist", "config.json");
    };
  }

  /** The settings in {@code file}; {@link HoistSettings#NONE} when it does not exist. */
  public static HoistSettings readIfExists(Path file) throws IOException {
    return Files.exists(file) ? read(file) : HoistSettings.NONE;
  }

  /** The settings in {@code file}, which must exist. */
  public static HoistSettings read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new InvalidConfigException("configuration file " + file + " does not exist");
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new InvalidConfigException("configuration file " + file + " is larger than 1 MiB");
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException("configuration file " + file + " is not valid JSON: "
          + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      return new HoistSettings(Optional.of(file), Optional.empty(), Optional.empty(), Optional.empty(),
          OptionalInt.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), Optional.empty());
    }
    return new Reader(file, root).settings();
  }

  /** One file's reading: each error names the file and the key. */
  private static final class Reader {
    private final Path file;
    private final JsonNode root;

    Reader(Path file, JsonNode root) {
      this.file = file;
      this.root = root;
    }

    HoistSettings settings() throws InvalidConfigException {
      if (!root.isObject()) {
        throw error("must hold a JSON object");
      }
      unknownKeys(root, KEYS, "");
      return new HoistSettings(
          Optional.of(file),
          path("store"),
          insecureRegistries(),
          mirrors(),
          positiveInt("max-concurrent-downloads", "invalid max concurrent downloads: "),
          positiveInt("max-download-attempts", "invalid max download attempts: "),
          path("hosts-dir"),
          path("registries-conf"),
          paths("certs-dirs"),
          bool("mirror-fallback"),
          proxies());
    }

    private void unknownKeys(JsonNode object, Set<String> known, String prefix)
        throws InvalidConfigException {
      Set<String> unknown = new TreeSet<>();
      for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!known.contains(key)) {
          unknown.add(prefix + key);
        }
      }
      if (!unknown.isEmpty()) {
        throw new InvalidConfigException("configuration file " + file
            + ": the following directives don't match any configuration option: "
            + String.join(", ", unknown));
      }
    }

    private Optional<String> text(JsonNode object, String key, String name) throws InvalidConfigException {
      JsonNode node = object.get(key);
      if (node == null || node.isNull()) {
        return Optional.empty();
      }
      if (!node.isTextual()) {
        throw error("\"" + name + "\" must be a string, not " + node);
      }
      return Optional.of(node.asText());
    }

    private Optional<Path> path(String key) throws InvalidConfigException {
      Optional<String> text = text(root, key, key);
      if (text.isPresent() && text.get().isBlank()) {
        throw error("\"" + key + "\" must not be empty");
      }
      return text.map(this::resolve);
    }

    private Path resolve(String text) {
      Path parent = file.toAbsolutePath().getParent();
      return parent.resolve(text).normalize();
    }

    private Optional<List<String>> strings(String key) throws InvalidConfigException {
      JsonNode node = root.get(key);
      if (node == null || node.isNull()) {
        return Optional.empty();
      }
      if (!node.isArray()) {
        throw error("\"" + key + "\" must be a list of strings, not " + node);
      }
      List<String> values = new ArrayList<>();
      for (JsonNode item : node) {
        if (!item.isTextual()) {
          throw error("\"" + key + "\" must be a list of strings, not " + node);
        }
        values.add(item.asText());
      }
      return Optional.of(values);
    }

    private Optional<List<Path>> paths(String key) throws InvalidConfigException {
      Optional<List<String>> values = strings(key);
      if (values.isEmpty()) {
        return Optional.empty();
      }
      List<Path> paths = new ArrayList<>();
      for (String value : values.get()) {
        paths.add(resolve(value));
      }
      return Optional.of(paths);
    }

    private OptionalInt positiveInt(String key, String dockerText) throws InvalidConfigException {
      JsonNode node = root.get(key);
      if (node == null || node.isNull()) {
        return OptionalInt.empty();
      }
      if (!node.isIntegralNumber() || !node.canConvertToInt()) {
        throw error("\"" + key + "\" must be a whole number, not " + node);
      }
      if (node.asInt() < 1) {
        throw error(dockerText + node.asInt() + " (\"" + key + "\" must be at least 1)");
      }
      return OptionalInt.of(node.asInt());
    }

    private Optional<Boolean> bool(String key) throws InvalidConfigException {
      JsonNode node = root.get(key);
      if (node == null || node.isNull()) {
        return Optional.empty();
      }
      if (!node.isBoolean()) {
        throw error("\"" + key + "\" must be true or false, not " + node);
      }
      return Optional.of(node.asBoolean());
    }

    /** docker's {@code LoadInsecureRegistries}: http:// and https:// are dropped, other schemes refused. */
    private Optional<List<String>> insecureRegistries() throws InvalidConfigException {
      Optional<List<String>> values = strings("insecure-registries");
      if (values.isEmpty()) {
        return values;
      }
      List<String> registries = new ArrayList<>();
      for (String value : values.get()) {
        String r = value.trim();
        String lower = r.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://")) {
          r = r.substring(7);
        } else if (lower.startsWith("https://")) {
          r = r.substring(8);
        } else if (r.contains("://")) {
          throw error("insecure registry " + value + " should not contain '://'");
        }
        if (r.isEmpty() || r.startsWith("-") || r.endsWith("-")) {
          throw error("invalid index name (" + value + "). Cannot begin or end with a hyphen");
        }
        registries.add(r);
      }
      return Optional.of(registries);
    }

    /** docker's {@code ValidateMirror}: http or https, no credentials, query or fragment. */
    private Optional<List<URI>> mirrors() throws InvalidConfigException {
      Optional<List<String>> values = strings("registry-mirrors");
      if (values.isEmpty()) {
        return Optional.empty();
      }
      List<URI> mirrors = new ArrayList<>();
      for (String value : values.get()) {
        URI uri;
        try {
          uri = new URI(value);
        } catch (URISyntaxException e) {
          throw error("invalid mirror: \"" + value + "\" is not a valid URI");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("http") && !scheme.equals("https")) {
          throw error("invalid mirror: unsupported scheme \"" + scheme + "\" in \"" + value + "\"");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
          throw error("invalid mirror: query or fragment at end of the URI \"" + value + "\"");
        }
        if (uri.getRawUserInfo() != null) {
          throw error("invalid mirror: username/password not allowed in URI \""
              + value.replace(uri.getRawUserInfo(), "xxxxx") + "\"");
        }
        if (uri.getHost() == null) {
          throw error("invalid mirror: \"" + value + "\" is not a valid URI");
        }
        mirrors.add(URI.create(value.endsWith("/") ? value : value + "/"));
      }
      return Optional.of(mirrors);
    }

    private Optional<HoistSettings.Proxies> proxies() throws InvalidConfigException {
      JsonNode node = root.get("proxies");
      if (node == null || node.isNull()) {
        return Optional.empty();
      }
      if (!node.isObject()) {
        throw error("\"proxies\" must be an object with http-proxy, https-proxy and no-proxy");
      }
      unknownKeys(node, PROXY_KEYS, "proxies.");
      HoistSettings.Proxies proxies = new HoistSettings.Proxies(
          proxyUrl(node, "http-proxy"), proxyUrl(node, "https-proxy"),
          text(node, "no-proxy", "proxies.no-proxy"));
      return Optional.of(proxies);
    }

    /** A proxy the registry client can use, checked as it will read it ({@link ProxyUrl}). */
    private Optional<String> proxyUrl(JsonNode proxies, String key) throws InvalidConfigException {
      Optional<String> value = text(proxies, key, "proxies." + key);
      if (value.isPresent() && !value.get().isBlank()) {
        try {
          ProxyUrl.parse(value.get().trim());
        } catch (IllegalArgumentException e) {
          throw error("\"proxies." + key + "\": " + e.getMessage()); // credentials left out
        }
      }
      return value;
    }

    private InvalidConfigException error(String what) {
      return new InvalidConfigException("configuration file " + file + ": " + what);
    }
  }
}
