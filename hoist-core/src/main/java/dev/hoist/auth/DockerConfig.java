package dev.hoist.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The credentials in a docker CLI config file ({@code config.json}): the {@code auths} entries
 * written by {@code docker login}, the default credential helper {@code credsStore}, and the
 * per-registry helpers {@code credHelpers}. Other settings in the file are ignored.
 *
 * <p>Instances are immutable and thread-safe; the file is read once, by {@link #load}. Credential
 * helpers run on each {@link #lookup}, found on {@code $PATH} as {@code docker-credential-NAME}.
 *
 * <p>{@link CredentialStore} writes the file ({@code hoist login}). Not supported: the {@code
 * DOCKER_AUTH_CONFIG} variable and the legacy {@code ~/.dockercfg}.
 */
public final class DockerConfig implements CredentialProvider {
  /** The key docker uses for Docker Hub, in {@code auths} and towards credential helpers. */
  static final String HUB_SERVER = "https://index.docker.io/v1/";

  /** Host names that mean Docker Hub, in the order they are tried as {@code credHelpers} keys. */
  static final List<String> HUB_HOSTS =
      List.of("docker.io", "index.docker.io", "registry-1.docker.io");

  private final String source;
  private final Map<String, Credential> auths;
  private final String credsStore;
  private final Map<String, String> credHelpers;
  private final List<Path> helperPath;

  /** {@code auths} keeps the file's order, which decides ties between equivalent keys. */
  DockerConfig(
      String source,
      Map<String, Credential> auths,
      String credsStore,
      Map<String, String> credHelpers,
      List<Path> helperPath) {
    this.source = source;
    this.auths = auths;
    this.credsStore = credsStore;
    this.credHelpers = credHelpers;
    this.helperPath = List.copyOf(helperPath);
  }

  /**
   * Reads {@code configJson}. A missing file is an empty config, as it is for docker.
   *
   * @throws IOException if the file cannot be read, is not valid JSON, or has an {@code auth} value
   *     that is not base64 of {@code username:password}. The message names the file and the {@code
   *     auths} key, never the secret.
   */
  public static DockerConfig load(Path configJson) throws IOException {
    return load(configJson, CredentialHelper.searchPath(System.getenv()));
  }

  static DockerConfig load(Path configJson, List<Path> helperPath) throws IOException {
    byte[] json;
    try {
      json = Files.readAllBytes(configJson);
    } catch (NoSuchFileException e) {
      return new DockerConfig(configJson.toString(), Map.of(), "", Map.of(), helperPath);
    }
    return ConfigJson.parse(configJson.toString(), json, helperPath);
  }

  /**
   * Looks up the credential for {@code registry} the way the docker CLI does ({@code
   * ConfigFile.GetAuthConfig}):
   *
   * <ol>
   *   <li>the helper named in {@code credHelpers} for the registry, if there is an entry;
   *   <li>else the {@code credsStore} helper, if set;
   *   <li>else the {@code auths} entry for the registry.
   * </ol>
   *
   * <p>Docker Hub ({@code docker.io}) is keyed as {@code https://index.docker.io/v1/}. For {@code
   * auths}, an exact key wins; otherwise a key matches if it names the same host once its scheme
   * and path are stripped (docker's {@code ConvertToHostname}), so {@code https://myreg:5000/v2/}
   * serves {@code myreg:5000}, and {@code index.docker.io}, {@code docker.io} or {@code
   * registry-1.docker.io} serve Docker Hub.
   *
   * @throws IOException if a credential helper fails or cannot be run (see {@link
   *     CredentialHelper#get}); a helper that has no credential gives empty instead
   */
  @Override
  public Optional<Credential> lookup(String registry) throws IOException {
    Objects.requireNonNull(registry, "registry == null");
    boolean hub = HUB_HOSTS.contains(registry);
    String serverAddress = hub ? HUB_SERVER : registry;
    String helper = helperFor(serverAddress, hub);
    if (!helper.isEmpty()) {
      return new CredentialHelper(helper, helperPath, CredentialHelper.DEFAULT_TIMEOUT)
          .get(serverAddress);
    }
    Credential exact = auths.get(serverAddress);
    if (exact != null) {
      return Optional.of(exact);
    }
    for (Map.Entry<String, Credential> entry : auths.entrySet()) {
      String host = toHostname(entry.getKey());
      if (hub ? HUB_HOSTS.contains(host) : host.equals(serverAddress)) {
        return Optional.of(entry.getValue());
      }
    }
    return Optional.empty();
  }

  private String helperFor(String serverAddress, boolean hub) {
    return helperFor(credHelpers, credsStore, serverAddress, hub);
  }

  /**
   * The helper suffix to use for {@code serverAddress}, or empty for the file. As in docker's
   * {@code getConfiguredCredentialStore}, a {@code credHelpers} entry wins even when its value is
   * empty, which sends that registry to {@code auths} despite a {@code credsStore}. For Docker Hub
   * an entry under any of its host names counts.
   */
  static String helperFor(
      Map<String, String> credHelpers, String credsStore, String serverAddress, boolean hub) {
    String helper = credHelpers.get(serverAddress);
    if (helper == null && hub) {
      helper =
          HUB_HOSTS.stream()
              .map(credHelpers::get)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(null);
    }
    return helper != null ? helper : credsStore;
  }

  /**
   * Docker's {@code ConvertToHostname}: {@code https://host:port/path} becomes {@code host:port}; a
   * key without a scheme loses only its path.
   */
  static String toHostname(String key) {
    int scheme = key.indexOf("://");
    if (scheme >= 0) {
      String authority = key.substring(scheme + 3).split("[/?#]", 2)[0];
      String host = authority.substring(authority.lastIndexOf('@') + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1); // Go's URL.Hostname() drops bare brackets
      }
      if (!host.isEmpty()) {
        return host;
      }
    }
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }

  @Override
  public String toString() {
    return "DockerConfig[" + source + "]";
  }
}
