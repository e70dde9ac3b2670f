package dev.hoist.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The settings a configuration file holds; each absent one keeps hoist's default. Immutable.
 *
 * @param source the file they were read from, or empty for settings made in code
 * @param store {@code store}: the OCI layout to use
 * @param insecureRegistries {@code insecure-registries}: {@code host[:port]} or CIDR
 * @param registryMirrors {@code registry-mirrors}: mirrors of Docker Hub, tried in order
 * @param maxConcurrentDownloads {@code max-concurrent-downloads}
 * @param maxDownloadAttempts {@code max-download-attempts}
 * @param hostsDirectory {@code hosts-dir}: containerd's {@code certs.d} directory of hosts.toml
 * @param registriesConf {@code registries-conf}: a containers {@code registries.conf} file
 * @param certsDirectories {@code certs-dirs}: docker-style {@code certs.d} directories
 * @param mirrorFallback {@code mirror-fallback}: whether the upstream is tried after mirrors
 * @param proxies {@code proxies}: {@code http-proxy}, {@code https-proxy}, {@code no-proxy}
 */
public record HoistSettings(
    Optional<Path> source,
    Optional<Path> store,
    Optional<List<String>> insecureRegistries,
    Optional<List<URI>> registryMirrors,
    OptionalInt maxConcurrentDownloads,
    OptionalInt maxDownloadAttempts,
    Optional<Path> hostsDirectory,
    Optional<Path> registriesConf,
    Optional<List<Path>> certsDirectories,
    Optional<Boolean> mirrorFallback,
    Optional<Proxies> proxies) {

  /** No setting at all: every default stays. */
  public static final HoistSettings NONE = new HoistSettings(
      Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(),
      OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
      Optional.empty());

  public HoistSettings {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(store, "store");
    insecureRegistries = insecureRegistries.map(List::copyOf);
    registryMirrors = registryMirrors.map(List::copyOf);
    Objects.requireNonNull(maxConcurrentDownloads, "maxConcurrentDownloads");
    Objects.requireNonNull(maxDownloadAttempts, "maxDownloadAttempts");
    Objects.requireNonNull(hostsDirectory, "hostsDirectory");
    Objects.requireNonNull(registriesConf, "registriesConf");
    certsDirectories = certsDirectories.map(List::copyOf);
    Objects.requireNonNull(mirrorFallback, "mirrorFallback");
    Objects.requireNonNull(proxies, "proxies");
  }

  /**
   * docker's {@code proxies} object; each URL as the environment variables take it.
   *
   * @param noProxy comma-separated hosts, domains ({@code .example.com}), IPs and CIDRs
   */
  public record Proxies(Optional<String> httpProxy, Optional<String> httpsProxy, Optional<String> noProxy) {
    public Proxies {
      Objects.requireNonNull(httpProxy, "httpProxy");
      Objects.requireNonNull(httpsProxy, "httpsProxy");
      Objects.requireNonNull(noProxy, "noProxy");
    }
  }
}
