package dev.hoist.hosts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads one containerd {@code hosts.toml} (containerd's {@code docs/hosts.md}): the {@code
 * [host."…"]} tables in file order are mirrors, tried first; {@code server} (by default the
 * registry itself) comes last. Each takes {@code capabilities} (default: all), {@code skip_verify},
 * {@code ca}, {@code client}, {@code header} and {@code override_path}; at the top level they apply
 * to {@code server}. A URL without a scheme is HTTPS; its path gets {@code /v2} appended unless it
 * ends with it or {@code override_path} says the path is the API root. Relative certificate paths
 * are relative to the file's directory.
 *
 * <p>Where containerd logs an invalid file and ignores it, hoist refuses it, naming the file and
 * the key. Keys hoist does not use ({@code dial_timeout}, {@code proxy}) are ignored.
 */
final class HostsToml {
  private static final Set<String> HOST_KEYS =
      Set.of("capabilities", "ca", "client", "skip_verify", "header", "override_path");
  /** The top level: the server's settings, the server itself and the mirrors' tables. */
  private static final Set<String> ROOT_KEYS =
      Stream.concat(HOST_KEYS.stream(), Stream.of("server", "host"))
          .collect(Collectors.toUnmodifiableSet());
  private static final Set<String> NOT_USED = Set.of("dial_timeout", "proxy");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  /** Headers the JDK's HTTP client sets itself and refuses to take. */
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private HostsToml() {}

  /**
   * The endpoints {@code file} configures, mirrors first; the last is {@code server}, or {@code
   * upstream} (the registry's own API root) with the file's top-level settings when there is no
   * {@code server}.
   */
  static List<Endpoint> read(Path file, URI upstream) throws IOException {
    TomlTable root = TomlTable.read(file);
    root.reportUnknownKeys(ROOT_KEYS, NOT_USED);
    String source = file.toString();
    List<Endpoint> endpoints = new ArrayList<>();
    Optional<TomlTable> hosts = root.table("host");
    if (hosts.isPresent()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = hosts.get().entries(); it.hasNext(); ) {
        String key = it.next().getKey();
        TomlTable host = hosts.get().table(key).orElseThrow();
        host.reportUnknownKeys(HOST_KEYS, NOT_USED);
        endpoints.add(endpoint(host, true, root(hosts.get(), key, key, host), source));
      }
    }
    Optional<String> server = root.string("server");
    if (server.isPresent()) {
      endpoints.add(endpoint(root, false, root(root, "server", server.get(), root), source));
    } else {
      // containerd's default server: the registry itself with every capability (the builder's
      // default, as the top level's capabilities are not applied), the /v2 root.
      endpoints.add(settings(Endpoint.builder(upstream, false, source), root, false).build());
    }
    return endpoints;
  }

  private static Endpoint endpoint(TomlTable table, boolean mirror, URI root, String source)
      throws HostsConfigException {
    return settings(Endpoint.builder(root, mirror, source), table, true).build();
  }

  private static Endpoint.Builder settings(Endpoint.Builder b, TomlTable table, boolean withCapabilities)
      throws HostsConfigException {
    if (table.has("capabilities")) {
      Set<Capability> capabilities = capabilities(table); // checked even where containerd ignores it
      if (withCapabilities) {
        b.capabilities(capabilities);
      }
    }
    table.bool("skip_verify").ifPresent(b::skipVerify);
    Path dir = table.file().toAbsolutePath().getParent();
    List<Path> cas = new ArrayList<>();
    for (String ca : table.stringOrStrings("ca")) {
      cas.add(dir.resolve(ca));
    }
    return b.caCertificates(cas).clientCertificates(clients(table, dir)).headers(headers(table));
  }

  private static Set<Capability> capabilities(TomlTable table) throws HostsConfigException {
    Set<Capability> result = EnumSet.noneOf(Capability.class);
    for (String name : table.strings("capabilities")) {
      try {
        result.add(Capability.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw table.error("capabilities",
            "unknown capability \"" + name + "\" (expected pull, resolve or push)");
      }
    }
    return result;
  }

  /** {@code client = "c.pem"}, {@code ["a.pem", "b.pem"]} or {@code [["c.cert", "c.key"], …]}. */
  private static List<ClientCertificate> clients(TomlTable table, Path dir) throws HostsConfigException {
    JsonNode value = table.raw("client");
    List<ClientCertificate> result = new ArrayList<>();
    if (value == null) {
      return result;
    }
    if (value.isTextual()) {
      result.add(new ClientCertificate(dir.resolve(value.asText()), Optional.empty()));
      return result;
    }
    if (!value.isArray()) {
      throw table.error("client",
          "expected a path, an array of paths or an array of [certificate, key] pairs");
    }
    for (JsonNode item : value) {
      if (item.isTextual()) {
        result.add(new ClientCertificate(dir.resolve(item.asText()), Optional.empty()));
      } else if (item.isArray() && item.size() == 2 && item.get(0).isTextual() && item.get(1).isTextual()) {
        String key = item.get(1).asText();
        result.add(new ClientCertificate(dir.resolve(item.get(0).asText()),
            key.isEmpty() ? Optional.empty() : Optional.of(dir.resolve(key))));
      } else {
        throw table.error("client", "expected a path or a [certificate, key] pair, got " + item);
      }
    }
    return result;
  }

  private static Map<String, List<String>> headers(TomlTable table) throws HostsConfigException {
    Map<String, List<String>> result = new LinkedHashMap<>();
    Optional<TomlTable> header = table.table("header");
    if (header.isEmpty()) {
      return result;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = header.get().entries(); it.hasNext(); ) {
      String name = it.next().getKey();
      if (!TOKEN.matcher(name).matches() || RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
        throw header.get().error(name, "not a header hoist can send");
      }
      List<String> values = header.get().stringOrStrings(name);
      for (String v : values) {
        if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
          throw header.get().error(name, "a header value must be one line");
        }
      }
      result.put(name, values);
    }
    return result;
  }

  /** The API root of {@code url}, as containerd computes it. */
  private static URI root(TomlTable table, String key, String url, TomlTable settings)
      throws HostsConfigException {
    boolean overridePath = settings.bool("override_path").orElse(false);
    String withScheme = url.contains("://") ? url : "https://" + url;
    URI uri;
    try {
      uri = new URI(withScheme);
    } catch (URISyntaxException e) {
      throw table.error(key, "not a URL: " + url);
    }
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw table.error(key, "not an http or https URL: " + url);
    }
    if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw table.error(key, "expected scheme://host[:port][/path]: " + url);
    }
    return apiRoot(uri.getScheme(), uri.getRawAuthority(), uri.getRawPath(), overridePath);
  }

  /** {@code path} cleaned, with {@code /v2} appended unless it ends so or is the root already. */
  static URI apiRoot(String scheme, String authority, String path, boolean overridePath) {
    String slashed = ("/" + (path == null ? "" : path)).replaceAll("/+", "/");
    String clean = URI.create(slashed).normalize().getRawPath().replaceAll("/$", "");
    if (!overridePath && !clean.endsWith("/v2")) {
      clean = clean + "/v2";
    }
    return URI.create(scheme + "://" + authority + clean);
  }
}
