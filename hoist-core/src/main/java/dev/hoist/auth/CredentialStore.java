package dev.hoist.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Docker's credential storage, written as {@code docker login} and {@code docker logout} write it
 * and read as {@code docker pull} reads it: the config file ({@code config.json}) and the
 * credential helpers it names.
 *
 * <p>A server's credential goes to the helper named in {@code credHelpers} for it, else to the
 * {@code credsStore} helper, else into the file as {@code auths[SERVER].auth}, base64 of {@code
 * user:password}. With a helper the file keeps an empty {@code auths} entry, as docker leaves it.
 * Every other key of the file is kept as it was, and the file is replaced atomically with mode
 * {@code 0600}.
 *
 * <p>Servers are keyed as docker keys them (see {@link #serverAddress}): Docker Hub as {@code
 * https://index.docker.io/v1/}, every other registry as its {@code host[:port]}.
 *
 * <p>Thread-safe. The file is read again for every call; writes from one JVM are serialized, but
 * nothing guards against another process writing the file at the same moment (docker does not
 * either).
 */
public final class CredentialStore implements CredentialProvider {
  /** The key docker stores Docker Hub's credential under. */
  public static final String DOCKER_HUB_SERVER = DockerConfig.HUB_SERVER;

  private static final Object WRITES = new Object();
  private static final Pattern HOST_PORT =
      Pattern.compile(
          "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
              + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

  private final Path configFile;
  private final List<Path> helperPath;

  CredentialStore(Path configFile, List<Path> helperPath) {
    this.configFile = configFile;
    this.helperPath = List.copyOf(helperPath);
  }

  /**
   * Docker's own: {@code $DOCKER_CONFIG/config.json} if that variable is set and not empty, else
   * {@code ~/.docker/config.json}; helpers are found on {@code $PATH}.
   */
  public static CredentialStore dockerConfig() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** The config file {@code configJson} (which need not exist yet); helpers on {@code $PATH}. */
  public static CredentialStore of(Path configJson) {
    return of(configJson, CredentialHelper.searchPath(System.getenv()));
  }

  /**
   * The config file {@code configJson}, with credential helpers ({@code docker-credential-NAME})
   * looked for in {@code helperDirectories}, in order.
   */
  public static CredentialStore of(Path configJson, List<Path> helperDirectories) {
    Objects.requireNonNull(configJson, "configJson == null");
    return new CredentialStore(configJson, helperDirectories);
  }

  /**
   * {@code DOCKER_CONFIG} if that environment variable chose {@link #dockerConfig()}'s directory;
   * empty when it is unset or empty and the directory is {@code ~/.docker}.
   */
  public static Optional<String> dockerConfigVariable() {
    return dockerConfigVariable(System.getenv());
  }

  static Optional<String> dockerConfigVariable(Map<String, String> env) {
    return env.getOrDefault("DOCKER_CONFIG", "").isEmpty()
        ? Optional.empty()
        : Optional.of("DOCKER_CONFIG");
  }

  static CredentialStore fromEnvironment(Map<String, String> env, Path home) {
    Path configDir = dockerConfigVariable(env).map(name -> Path.of(env.get(name)))
        .orElse(home.resolve(".docker"));
    return new CredentialStore(configDir.resolve("config.json"), CredentialHelper.searchPath(env));
  }

  /** The config file this store reads and writes. */
  public Path configFile() {
    return configFile;
  }

  /**
   * The key docker stores a server's credential under, from what a user types after {@code docker
   * login}: empty, {@code docker.io} or another name of Docker Hub gives {@link
   * #DOCKER_HUB_SERVER}; anything else its {@code host[:port]}, without an {@code http://} or
   * {@code https://} scheme and without a path (docker's {@code ConvertToHostname}).
   *
   * @throws IllegalArgumentException if {@code server} has another scheme or is not a host name
   *     or IP address with an optional port
   */
  public static String serverAddress(String server) {
    Objects.requireNonNull(server, "server == null");
    String rest = server.trim();
    if (rest.isEmpty()) {
      return DOCKER_HUB_SERVER;
    }
    int scheme = rest.indexOf("://");
    if (scheme >= 0) {
      String name = rest.substring(0, scheme);
      if (!name.equals("http") && !name.equals("https")) {
        throw new IllegalArgumentException("invalid server address \"" + server
            + "\": unsupported URL scheme \"" + name + "\": must be \"http\" or \"https\"");
      }
      rest = rest.substring(scheme + 3);
    }
    String host = rest.split("/", 2)[0];
    if (!HOST_PORT.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "invalid server address \"" + server + "\": not a host name or IP address with an optional port");
    }
    return DockerConfig.HUB_HOSTS.contains(host.toLowerCase(Locale.ROOT)) ? DOCKER_HUB_SERVER : host;
  }

  /**
   * The registry a server stands for, named as in image references: {@code docker.io} for Docker
   * Hub, else the server's {@code host[:port]}.
   *
   * @throws IllegalArgumentException as {@link #serverAddress} does
   */
  public static String registry(String server) {
    String address = serverAddress(server);
    return address.equals(DOCKER_HUB_SERVER) ? "docker.io" : address;
  }

  /** As {@link DockerConfig#lookup}, reading the file again on every call. */
  @Override
  public Optional<Credential> lookup(String registry) throws IOException {
    return DockerConfig.load(configFile, helperPath).lookup(registry);
  }

  /**
   * The credential helper that keeps the credential of {@code server} ({@code osxkeychain} for
   * {@code docker-credential-osxkeychain}), or empty when the config file itself does.
   */
  public Optional<String> helper(String server) throws IOException {
    String helper = helperFor(ConfigJsonFile.read(configFile), serverAddress(server));
    return helper.isEmpty() ? Optional.empty() : Optional.of(helper);
  }

  /**
   * Stores {@code credential} for {@code server}, replacing what was stored for it.
   *
   * @throws IOException if the file is malformed (it is then left alone), cannot be written, or
   *     the helper fails ({@code error storing credentials - err: …})
   */
  public void store(String server, Credential credential) throws IOException {
    Objects.requireNonNull(credential, "credential == null");
    String address = serverAddress(server);
    synchronized (WRITES) {
      ObjectNode root = ConfigJsonFile.read(configFile);
      ObjectNode auths = ConfigJson.auths(configFile.toString(), root);
      String helper = helperFor(root, address);
      if (helper.isEmpty()) {
        auths.set(address, ConfigJson.entry(credential));
      } else {
        runHelper(helper).store(address, credential);
        auths.putObject(address);
      }
      ConfigJsonFile.write(configFile, root);
    }
  }

  /**
   * Removes the credential of {@code server}, as {@code docker logout} does: from the helper that
   * keeps it, under each key docker may have used ({@code host}, {@code http://host}, {@code
   * https://host}), and every {@code auths} entry a pull from that registry would use.
   *
   * @return false if nothing was stored for the server
   * @throws IOException if the file is malformed or cannot be written, or a helper fails other
   *     than by having nothing ({@code error erasing credentials - err: …}); the rest is still
   *     removed
   */
  public boolean erase(String server) throws IOException {
    String address = serverAddress(server);
    boolean hub = address.equals(DOCKER_HUB_SERVER);
    List<String> keys =
        hub ? List.of(address) : List.of(address, "http://" + address, "https://" + address);
    synchronized (WRITES) {
      ObjectNode root = ConfigJsonFile.read(configFile);
      boolean removed = false;
      IOException failure = null;
      for (String key : keys) {
        String helper = helperFor(root, key);
        if (!helper.isEmpty()) {
          try {
            removed |= runHelper(helper).erase(key);
          } catch (IOException e) {
            failure = failure == null ? e : failure;
          }
        }
      }
      JsonNode node = root.get("auths");
      if (node != null && !node.isNull()) {
        ObjectNode auths = ConfigJson.auths(configFile.toString(), root);
        List<String> stale = new ArrayList<>();
        auths.fieldNames().forEachRemaining(key -> {
          if (serves(key, address, hub)) {
            stale.add(key);
          }
        });
        if (!stale.isEmpty()) {
          auths.remove(stale);
          ConfigJsonFile.write(configFile, root);
          removed = true;
        }
      }
      if (failure != null) {
        throw failure;
      }
      return removed;
    }
  }

  /** Whether a pull would take the {@code auths} entry {@code key} for the server (see lookup). */
  private static boolean serves(String key, String address, boolean hub) {
    String host = DockerConfig.toHostname(key);
    return key.equals(address) || (hub ? DockerConfig.HUB_HOSTS.contains(host) : host.equals(address));
  }

  private String helperFor(ObjectNode root, String address) throws IOException {
    String source = configFile.toString();
    return DockerConfig.helperFor(
        ConfigJson.credHelpers(source, root),
        ConfigJson.credsStore(source, root),
        address,
        address.equals(DOCKER_HUB_SERVER));
  }

  private CredentialHelper runHelper(String name) {
    return new CredentialHelper(name, helperPath, CredentialHelper.DEFAULT_TIMEOUT);
  }

  @Override
  public String toString() {
    return "CredentialStore[" + configFile + "]";
  }
}
