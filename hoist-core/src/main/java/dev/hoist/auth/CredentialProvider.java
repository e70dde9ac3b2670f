package dev.hoist.auth;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the credential for a registry comes from. Implementations must be thread-safe: one provider
 * serves every pull of a {@code Hoist} instance.
 *
 * <p>An {@link IOException} means the source of credentials is broken (an unreadable config file, a
 * failing credential helper), not that there is no credential. Callers may report it and carry on
 * anonymously, as a pull of a public image still works without credentials.
 */
@FunctionalInterface
public interface CredentialProvider {

  /**
   * The credential for {@code registry}, or empty to go anonymous.
   *
   * @param registry the registry as it appears in the domain of an image reference: {@code
   *     docker.io}, {@code ghcr.io}, {@code localhost:5000}, {@code [::1]:5000}
   * @throws IOException if the credentials could not be read
   */
  Optional<Credential> lookup(String registry) throws IOException;

  /**
   * Asks {@code other} when this provider has no credential for the registry. An error from this
   * provider is thrown, not skipped.
   */
  default CredentialProvider orElse(CredentialProvider other) {
    Objects.requireNonNull(other, "other == null");
    return registry -> {
      Optional<Credential> credential = lookup(registry);
      return credential.isPresent() ? credential : other.lookup(registry);
    };
  }

  /** A provider with no credentials at all. */
  static CredentialProvider anonymous() {
    return registry -> Optional.empty();
  }

  /**
   * The docker CLI's credentials: {@code $DOCKER_CONFIG/config.json}, else {@code
   * ~/.docker/config.json}, with its {@code credHelpers}, {@code credsStore} and {@code auths}
   * looked up the way {@code docker pull} does (see {@link DockerConfig#lookup}). Helpers are found
   * on {@code $PATH}.
   *
   * <p>The file is read again on every lookup, so a later {@code docker login} is seen. A missing
   * file means no credentials; a malformed one fails the lookup. {@link CredentialStore} also
   * writes it.
   */
  static CredentialProvider dockerConfig() {
    return CredentialStore.dockerConfig();
  }

  /**
   * A fixed set of credentials, keyed by registry. Keys are matched like {@code auths} keys in
   * docker's config file: {@code ghcr.io} and {@code https://ghcr.io/v2/} both serve {@code
   * ghcr.io}, and {@code https://index.docker.io/v1/} or {@code docker.io} serves Docker Hub.
   */
  static CredentialProvider of(Map<String, Credential> credentials) {
    Map<String, Credential> copy = new LinkedHashMap<>();
    credentials.forEach(
        (registry, credential) ->
            copy.put(
                Objects.requireNonNull(registry, "registry == null"),
                Objects.requireNonNull(credential, "credential == null")));
    return new DockerConfig("<map>", copy, "", Map.of(), List.of());
  }
}
