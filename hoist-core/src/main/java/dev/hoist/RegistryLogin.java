package dev.hoist;

import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialStore;
import dev.hoist.registry.ProxySettings;
import dev.hoist.registry.RegistryClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code docker login} and {@code docker logout}: checks a credential against a registry, then
 * stores it where docker and hoist pulls look for it (see {@link CredentialStore}).
 *
 * <pre>{@code
 * RegistryLogin login = RegistryLogin.builder().build();
 * login.login("ghcr.io", Credential.basic("alice", token));
 * login.logout("ghcr.io");
 * }</pre>
 *
 * <p>Immutable and thread-safe. It opens no image store; a {@link Hoist} built afterwards with
 * the default credentials uses what was stored.
 */
public final class RegistryLogin implements AutoCloseable {
  private final RegistryClient client;
  private final CredentialStore store;

  private RegistryLogin(Builder b) throws IOException {
    this.client = b.registry.build();
    this.store = b.store != null ? b.store : CredentialStore.dockerConfig();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Stops the HTTP client's threads. */
  @Override
  public void close() {
    client.close();
  }

  /**
   * What a login stored, and where.
   *
   * @param serverAddress the key it is stored under ({@link CredentialStore#serverAddress})
   * @param credential what was stored: the credential given, or the identity token the registry
   *     issued for it
   * @param helper the credential helper that keeps it; empty when the config file does
   */
  public record Result(String serverAddress, Credential credential, Optional<String> helper) {
    public Result {
      Objects.requireNonNull(serverAddress, "serverAddress == null");
      Objects.requireNonNull(credential, "credential == null");
      Objects.requireNonNull(helper, "helper == null");
    }
  }

  /**
   * Logs in to {@code server} (as typed after {@code docker login}: empty or {@code docker.io} for
   * Docker Hub, else {@code host[:port]}, with or without {@code https://}): checks the credential
   * against the registry as docker does, and stores it only if the registry accepted it.
   *
   * @throws IllegalArgumentException if {@code server} is not a server address, or a user name
   *     or password is empty
   * @throws dev.hoist.registry.UnauthorizedException if the registry refused the credential
   * @throws IOException if the config file is malformed (checked before the registry is asked),
   *     the registry cannot be reached, or storing failed ({@code Error saving credentials: …})
   */
  public Result login(String server, Credential credential) throws IOException {
    Objects.requireNonNull(credential, "credential == null");
    if (!credential.isIdentityToken()) {
      if (credential.username().isEmpty()) {
        throw new IllegalArgumentException("username is required");
      }
      if (credential.password().isEmpty()) {
        throw new IllegalArgumentException("password is required");
      }
    }
    String address = CredentialStore.serverAddress(server);
    Optional<String> helper = store.helper(address); // a malformed config fails before any request
    Credential keep = client.login(CredentialStore.registry(address), credential);
    try {
      store.store(address, keep);
    } catch (IOException e) {
      throw new IOException("Error saving credentials: " + e.getMessage(), e);
    }
    return new Result(address, keep, helper);
  }

  /**
   * Removes the stored credential of {@code server}, as {@code docker logout} does (see {@link
   * CredentialStore#erase}). The registry is not contacted.
   *
   * @return false if none was stored
   */
  public boolean logout(String server) throws IOException {
    return store.erase(server);
  }

  /** Where credentials are stored. */
  public CredentialStore credentialStore() {
    return store;
  }

  /** Configures a {@link RegistryLogin}; every default is here. */
  public static final class Builder {
    private final RegistryClient.Builder registry =
        RegistryClient.builder()
            .connectTimeout(Duration.ofSeconds(15)) // docker's login client times out after 15 s
            .requestTimeout(Duration.ofSeconds(15))
            .proxies(ProxySettings.fromEnvironment())
            .systemHostsDirectory();
    private CredentialStore store;

    private Builder() {}

    /** Where credentials go; docker's config file ({@link CredentialStore#dockerConfig()}) by default. */
    public Builder credentialStore(CredentialStore store) {
      this.store = Objects.requireNonNull(store, "store == null");
      return this;
    }

    /** Registries ({@code host[:port]}) that may use plain HTTP or unverified TLS. */
    public Builder insecureRegistries(Collection<String> registries) {
      registry.insecureRegistries(registries);
      return this;
    }

    /** Where per-registry CA and client certificates live (docker's {@code certs.d} layout). */
    public Builder certsDirectories(List<Path> roots) {
      registry.certsDirectories(roots);
      return this;
    }

    /**
     * containerd's hosts directory ({@code <dir>/<host>/hosts.toml}) to read the registry's own
     * settings from, as pulls do: its {@code server}, TLS and headers. {@code
     * /etc/containerd/certs.d} if it exists by default.
     */
    public Builder hostsDirectory(Path directory) {
      registry.hostsDirectory(directory);
      return this;
    }

    /** The HTTP proxies to use; {@link ProxySettings#fromEnvironment()} by default. */
    public Builder proxies(ProxySettings proxies) {
      registry.proxies(proxies);
      return this;
    }

    /**
     * Applies a configuration file's insecure registries, certificate directories, hosts directory
     * and proxies; later setter calls override them.
     */
    public Builder settings(dev.hoist.config.HoistSettings settings) {
      settings.insecureRegistries().ifPresent(this::insecureRegistries);
      settings.certsDirectories().ifPresent(this::certsDirectories);
      settings.hostsDirectory().ifPresent(this::hostsDirectory);
      settings.proxies().map(ProxySettings::of).ifPresent(this::proxies);
      return this;
    }

    /**
     * Builds it, reading the hosts configuration the client needs.
     *
     * @throws IOException if a configured hosts or registries file is missing or invalid
     */
    public RegistryLogin build() throws IOException {
      return new RegistryLogin(this);
    }
  }
}
