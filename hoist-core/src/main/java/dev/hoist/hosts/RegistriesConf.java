package dev.hoist.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code [[registry]]} tables of containers' {@code registries.conf} (v2 format, see {@code
 * containers-registries.conf(5)}), as containers/image reads them: {@code prefix} (a reference
 * prefix or {@code *.domain}; by default the {@code location}), {@code location}, {@code insecure},
 * {@code blocked}, {@code mirror-by-digest-only} and {@code [[registry.mirror]]} tables with
 * {@code location}, {@code insecure} and {@code pull-from-mirror}. The v1 format's {@code
 * [registries.insecure]} and {@code [registries.block]} lists are converted. Everything else
 * (search registries, aliases, credential helpers) is not hoist's business and is ignored.
 *
 * <p>An image is configured by the table whose prefix is the longest that matches its full
 * reference. Drop-in files replace the main file's tables that have the same prefix. Immutable.
 */
final class RegistriesConf {
  static final Path SYSTEM_FILE = Path.of("/etc/containers/registries.conf");
  static final Path SYSTEM_DIR = Path.of("/etc/containers/registries.conf.d");
  static final String USER_FILE = ".config/containers/registries.conf";
  static final String USER_DIR = ".config/containers/registries.conf.d";

  private static final Set<String> TOP_KEYS = Set.of("registry", "registries");
  private static final Set<String> NOT_USED = Set.of("unqualified-search-registries",
      "credential-helpers", "short-name-mode", "aliases", "additional-layer-store-auth-helper");
  private static final Set<String> REGISTRY_KEYS = Set.of("prefix", "location", "insecure",
      "blocked", "mirror", "mirror-by-digest-only", "pull-from-mirror");
  private static final Set<String> MIRROR_KEYS = Set.of("location", "insecure", "pull-from-mirror");
  private static final Set<String> PROXY = Set.of("proxy");

  /** A {@code [[registry.mirror]]} table. */
  record Mirror(String location, boolean insecure, PullFromMirror pullFromMirror) {}

  /**
   * A {@code [[registry]]} table; {@code location} is empty only for a {@code *.domain} prefix,
   * whose images keep their name.
   */
  record Entry(String prefix, String location, boolean insecure, boolean blocked,
      List<Mirror> mirrors, Path source) {}

  static final RegistriesConf EMPTY = new RegistriesConf(List.of(), List.of());

  private final List<Entry> entries;
  private final List<Path> files;

  private RegistriesConf(List<Entry> entries, List<Path> files) {
    this.entries = List.copyOf(entries);
    this.files = List.copyOf(files);
  }

  /** The files that were read, in order. */
  List<Path> files() {
    return files;
  }

  List<Entry> entries() {
    return entries;
  }

  /** Only {@code file}, which must exist; drop-in directories are not read. */
  static RegistriesConf load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new HostsConfigException(file, "", "no such file");
    }
    return merge(file, List.of());
  }

  /**
   * The files containers/image reads: {@code $CONTAINERS_REGISTRIES_CONF} alone if set (as podman
   * and skopeo do); else {@code ~/.config/containers/registries.conf} with the drop-ins of {@code
   * ~/.config/containers/registries.conf.d} if that file exists; else {@code
   * /etc/containers/registries.conf} with the drop-ins of {@code /etc/containers/registries.conf.d},
   * then of {@code ~/.config/containers/registries.conf.d}. Missing files are no configuration.
   */
  static RegistriesConf loadSystem(Map<String, String> env, Path home, Path systemFile, Path systemDir)
      throws IOException {
    String override = env.get("CONTAINERS_REGISTRIES_CONF");
    if (override != null && !override.isEmpty()) {
      return load(Path.of(override));
    }
    Path userFile = home.resolve(USER_FILE);
    if (Files.isRegularFile(userFile)) {
      return merge(userFile, dropIns(home.resolve(USER_DIR)));
    }
    List<Path> dropIns = new ArrayList<>(dropIns(systemDir));
    dropIns.addAll(dropIns(home.resolve(USER_DIR)));
    return merge(Files.isRegularFile(systemFile) ? systemFile : null, dropIns);
  }

  /** The {@code *.conf} files of {@code dir}, in name order. */
  private static List<Path> dropIns(Path dir) throws IOException {
    List<Path> result = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return result;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.conf")) {
      for (Path p : entries) {
        if (Files.isRegularFile(p)) {
          result.add(p);
        }
      }
    } catch (IOException e) {
      throw new HostsConfigException(dir, "cannot list it: " + e, e);
    }
    result.sort(null);
    return result;
  }

  /**
   * Reads the main file (if any), then each drop-in, which must use the v2 format and replaces the
   * tables with the same prefix.
   */
  private static RegistriesConf merge(Path main, List<Path> dropIns) throws IOException {
    Map<String, Entry> byPrefix = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    if (main != null) {
      files.add(main);
      read(main, false).forEach(e -> byPrefix.put(e.prefix(), e));
    }
    for (Path dropIn : dropIns) {
      files.add(dropIn);
      read(dropIn, true).forEach(e -> byPrefix.put(e.prefix(), e));
    }
    return new RegistriesConf(new ArrayList<>(byPrefix.values()), files);
  }

  /** One file's tables, checked as containers/image checks them; the first of a prefix wins. */
  static List<Entry> read(Path file, boolean dropIn) throws IOException {
    byte[] bytes = TomlTable.readBytes(file);
    if (!mentionsRegistries(new String(bytes, StandardCharsets.UTF_8))) {
      return List.of();
    }
    TomlTable root = TomlTable.parse(file, bytes);
    root.reportUnknownKeys(TOP_KEYS, NOT_USED);
    List<Entry> entries = new ArrayList<>();
    Optional<TomlTable> v1 = root.table("registries");
    if (v1.isPresent()) {
      if (dropIn) {
        throw root.error("registries", "a drop-in file must use the v2 format ([[registry]])");
      }
      if (root.has("registry")) {
        throw root.error("registries", "mixing the v1 format ([registries.*]) and v2 ([[registry]])");
      }
      entries.addAll(fromV1(v1.get()));
    }
    for (TomlTable table : root.tables("registry")) {
      entries.add(entry(table));
    }
    checkConflicts(root, entries);
    Map<String, Entry> unique = new LinkedHashMap<>();
    entries.forEach(e -> unique.putIfAbsent(e.prefix(), e));
    return new ArrayList<>(unique.values());
  }

  /**
   * Whether {@code text} has a {@code registry} or {@code registries} table, or such a top-level
   * key. Most machines' files hold only comments, search registries and short-name aliases
   * (Debian's, Fedora's): for them this line scan spares loading the TOML parser, a tenth of a
   * cold pull's start. A false positive (such a line in a multi-line string) merely parses the file.
   */
  static boolean mentionsRegistries(String text) {
    boolean topLevel = true; // TOML's top-level keys all come before its first table header
    for (String line : text.split("\n")) {
      if (REGISTRY_HEADER.matcher(line).lookingAt()) {
        return true;
      }
      if (line.stripLeading().startsWith("[")) {
        topLevel = false;
      } else if (topLevel && REGISTRY_KEY.matcher(line).lookingAt()) {
        return true;
      }
    }
    return false;
  }

  private static final String REGISTRY_NAME =
      "(?:registry|registries|\"(?:registry|registries)\"|'(?:registry|registries)')";
  private static final Pattern REGISTRY_HEADER =
      Pattern.compile("\\s*\\[\\[?\\s*" + REGISTRY_NAME + "\\s*[\\].]");
  private static final Pattern REGISTRY_KEY = Pattern.compile("\\s*" + REGISTRY_NAME + "\\s*[=.]");

  private static Entry entry(TomlTable table) throws HostsConfigException {
    table.reportUnknownKeys(REGISTRY_KEYS, PROXY);
    String location = location(table, "location");
    String prefix = table.string("prefix").map(String::trim).orElse("");
    if (prefix.isEmpty()) {
      if (location.isEmpty()) {
        throw table.error("location", "neither prefix nor location is set");
      }
      prefix = location;
    } else {
      prefix = location(table, "prefix");
      if (prefix.startsWith("*.")) {
        if (prefix.chars().anyMatch(c -> c == '/' || c == '@' || c == ':')) {
          throw table.error("prefix", "a wildcard prefix must be *.domain, got \"" + prefix + "\"");
        }
      } else if (location.isEmpty()) {
        throw table.error("location", "not set, and prefix \"" + prefix + "\" is not a *.domain wildcard");
      }
    }
    if (table.has("pull-from-mirror")) {
      throw table.error("pull-from-mirror", "only allowed in a [[registry.mirror]] table");
    }
    boolean byDigestOnly = table.bool("mirror-by-digest-only").orElse(false);
    List<Mirror> mirrors = new ArrayList<>();
    for (TomlTable m : table.tables("mirror")) {
      m.reportUnknownKeys(MIRROR_KEYS, PROXY);
      String mirrorLocation = location(m, "location");
      if (mirrorLocation.isEmpty()) {
        throw m.error("location", "a mirror needs a location");
      }
      PullFromMirror mode = PullFromMirror.ALL;
      Optional<String> pull = m.string("pull-from-mirror");
      if (pull.isPresent() && !pull.get().isEmpty()) {
        if (byDigestOnly) {
          throw m.error("pull-from-mirror",
              "not allowed together with mirror-by-digest-only of its registry");
        }
        mode = PullFromMirror.parse(pull.get());
        if (mode == null) {
          throw m.error("pull-from-mirror",
              "expected all, digest-only or tag-only, got \"" + pull.get() + "\"");
        }
      } else if (byDigestOnly) {
        mode = PullFromMirror.DIGEST_ONLY;
      }
      mirrors.add(new Mirror(mirrorLocation, m.bool("insecure").orElse(false), mode));
    }
    return new Entry(prefix, location, table.bool("insecure").orElse(false),
        table.bool("blocked").orElse(false), mirrors, table.file());
  }

  /** A location or prefix: no scheme, no trailing slash. */
  private static String location(TomlTable table, String key) throws HostsConfigException {
    String value = table.string(key).map(String::trim).orElse("");
    while (value.endsWith("/")) {
      value = value.substring(0, value.length() - 1);
    }
    if (value.startsWith("http://") || value.startsWith("https://")) {
      throw table.error(key, "URI schemes are not supported, got \"" + value + "\"");
    }
    if (value.chars().anyMatch(Character::isWhitespace)) {
      throw table.error(key, "must not contain spaces, got \"" + value + "\"");
    }
    return value;
  }

  /** The same location may appear under several prefixes, but not as insecure and secure. */
  private static void checkConflicts(TomlTable root, List<Entry> entries) throws HostsConfigException {
    Map<String, Entry> byLocation = new LinkedHashMap<>();
    for (Entry e : entries) {
      String location = e.location().isEmpty() ? e.prefix() : e.location();
      Entry other = byLocation.putIfAbsent(location, e);
      if (other != null && (other.insecure() != e.insecure() || other.blocked() != e.blocked())) {
        throw root.error("registry", "registry '" + location + "' is defined several times with"
            + " conflicting " + (other.insecure() != e.insecure() ? "'insecure'" : "'blocked'")
            + " settings");
      }
    }
  }

  private static List<Entry> fromV1(TomlTable v1) throws HostsConfigException {
    v1.reportUnknownKeys(Set.of("insecure", "block"), Set.of("search"));
    Map<String, boolean[]> flags = new LinkedHashMap<>(); // location -> {insecure, blocked}
    for (String kind : List.of("block", "insecure")) {
      Optional<TomlTable> table = v1.table(kind);
      if (table.isEmpty()) {
        continue;
      }
      for (String location : table.get().strings("registries")) {
        String clean = location.trim().replaceAll("/+$", "");
        if (clean.startsWith("http://") || clean.startsWith("https://") || clean.isEmpty()) {
          throw table.get().error("registries", "invalid registry \"" + location + "\"");
        }
        flags.computeIfAbsent(clean, k -> new boolean[2])[kind.equals("insecure") ? 0 : 1] = true;
      }
    }
    List<Entry> entries = new ArrayList<>();
    flags.forEach((location, f) ->
        entries.add(new Entry(location, location, f[0], f[1], List.of(), v1.file())));
    return entries;
  }

  /** The table whose prefix is the longest to match {@code reference}, if any. */
  Optional<Entry> find(String reference) {
    Entry best = null;
    int bestLength = 0;
    for (Entry e : entries) {
      if (matchLength(reference, e.prefix()) >= 0 && e.prefix().length() > bestLength) {
        best = e;
        bestLength = e.prefix().length();
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * How much of {@code reference} {@code prefix} matches, or -1: the prefix must be followed by
   * the end or by {@code / : @} (containers/image's {@code refMatchingPrefix}); {@code *.domain}
   * matches the domain and any of its subdomains.
   */
  static int matchLength(String reference, String prefix) {
    if (prefix.startsWith("*.")) {
      String suffix = prefix.substring(1);
      String domain = reference.substring(0, endOfDomain(reference));
      int colon = domain.lastIndexOf(':');
      String host = colon > 0 && !domain.endsWith("]") ? domain.substring(0, colon) : domain;
      // The wildcard stands for one or more labels; a port after the host may follow.
      return host.length() > suffix.length() && host.endsWith(suffix) ? host.length() : -1;
    }
    if (!reference.startsWith(prefix)) {
      return -1;
    }
    if (reference.length() == prefix.length()) {
      return prefix.length();
    }
    char next = reference.charAt(prefix.length());
    return next == '/' || next == ':' || next == '@' ? prefix.length() : -1;
  }

  private static int endOfDomain(String reference) {
    int slash = reference.indexOf('/');
    return slash < 0 ? reference.length() : slash;
  }

  /**
   * Where {@code reference} (which {@code entry} matched) is at {@code location}: the location
   * followed by what the prefix did not match. An empty location keeps the reference.
   */
  static String rewrite(String reference, String prefix, String location) {
    if (location.isEmpty()) {
      return reference;
    }
    return location + reference.substring(matchLength(reference, prefix));
  }

  /**
   * The endpoints an entry gives {@code reference} ({@code registry/path[:tag][@digest]}): its
   * mirrors in order, then its location, each with the repository's name there.
   */
  static List<PullSource> sources(
      Entry entry, String registry, String path, String reference) {
    List<PullSource> sources = new ArrayList<>();
    String source = entry.source().toString();
    for (Mirror m : entry.mirrors()) {
      String[] at = hostAndRepository(rewrite(reference, entry.prefix(), m.location()));
      Endpoint e = Endpoint.builder(RegistryHosts.defaultRoot(at[0]), true, source)
          .capabilities(RegistryHosts.MIRROR_CAPABILITIES)
          .insecure(m.insecure())
          .pullFromMirror(m.pullFromMirror())
          .build();
      sources.add(new PullSource(e, at[1]));
    }
    if (entry.location().isEmpty()) {
      sources.add(new PullSource(Endpoint.builder(RegistryHosts.defaultRoot(registry), false, source)
          .insecure(entry.insecure()).build(), path));
    } else {
      String[] at = hostAndRepository(rewrite(reference, entry.prefix(), entry.location()));
      sources.add(new PullSource(Endpoint.builder(RegistryHosts.defaultRoot(at[0]), false, source)
          .insecure(entry.insecure()).build(), at[1]));
    }
    return sources;
  }

  /** {host, repository} of a rewritten reference, without its tag or digest. */
  static String[] hostAndRepository(String reference) {
    int slash = reference.indexOf('/');
    String host = slash < 0 ? reference : reference.substring(0, slash);
    String rest = slash < 0 ? "" : reference.substring(slash + 1);
    int at = rest.indexOf('@');
    if (at >= 0) {
      rest = rest.substring(0, at);
    }
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      rest = rest.substring(0, colon);
    }
    if (slash < 0 && host.contains("@")) {
      host = host.substring(0, host.indexOf('@'));
    }
    return new String[] {host, rest};
  }
}
