package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.RegistryLogin;
import dev.hoist.config.ConfigFile;
import dev.hoist.config.HoistSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every command that touches the store or a registry shares. */
final class GlobalOptions {
  @Option(
      names = "--store",
      paramLabel = "DIR",
      description = "OCI image layout to use (default: $HOIST_HOME or ~/.local/share/hoist).")
  Path store;

  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      description =
          "Registry that may use plain HTTP or unverified TLS (repeatable). Loopback always may.")
  List<String> insecureRegistries = new ArrayList<>();

  @Option(
      names = "--certs-dir",
      paramLabel = "DIR",
      description =
          "Directory in docker's certs.d layout (DIR/HOST[:PORT]/*.crt, client.cert, client.key);"
              + " repeatable, first match wins (default: /etc/docker/certs.d, /etc/containerd/certs.d).")
  List<Path> certsDirectories = new ArrayList<>();

  @Option(
      names = "--hosts-dir",
      paramLabel = "DIR",
      description = "containerd hosts directory (DIR/<host>/hosts.toml) to read mirrors from"
          + " (default: /etc/containerd/certs.d if it exists).")
  Path hostsDir;

  @Option(
      names = "--registries-conf",
      paramLabel = "FILE",
      description = "containers registries.conf to read mirrors, rewrites and blocks from, alone"
          + " (default: $CONTAINERS_REGISTRIES_CONF, ~/.config/containers/registries.conf or"
          + " /etc/containers/registries.conf, with their registries.conf.d).")
  Path registriesConf;

  @Option(
      names = "--registry-mirror",
      paramLabel = "URL",
      description = "Mirror of Docker Hub to try first, as docker's registry-mirrors (repeatable).")
  List<URI> registryMirrors = new ArrayList<>();

  @Option(
      names = "--mirror-fallback",
      negatable = true,
      fallbackValue = "true",
      description = "Pull from the upstream registry when its mirrors fail (default: true, or the"
          + " configuration file's; --no-mirror-fallback fails instead). A failed mirror is always"
          + " reported.")
  Boolean mirrorFallback;

  @Option(names = "--debug", description = "Log what hoist does and print stack traces of errors.")
  boolean debug;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration file (default: $HOIST_CONFIG, else ~/.config/hoist/config.json).")
  Path config;

  private HoistSettings settings;

  /**
   * The configuration file's settings: {@code --config}'s file, else the default one if present.
   * Read once per command.
   */
  HoistSettings settings() throws IOException {
    if (settings == null) {
      settings = config != null ? ConfigFile.read(config) : ConfigFile.readIfExists(ConfigFile.defaultPath());
    }
    return settings;
  }

  /** A {@link RegistryLogin.Builder} set up from the configuration file, then these options. */
  RegistryLogin.Builder login() throws IOException {
    RegistryLogin.Builder builder = RegistryLogin.builder().settings(settings());
    if (!insecureRegistries.isEmpty()) {
      builder.insecureRegistries(insecureRegistries);
    }
    if (!certsDirectories.isEmpty()) {
      builder.certsDirectories(certsDirectories);
    }
    if (hostsDir != null) {
      builder.hostsDirectory(hostsDir);
    }
    return builder;
  }

  /** A {@link Hoist.Builder} set up from the configuration file, then these options over it. */
  Hoist.Builder hoist() throws IOException {
    Hoist.Builder builder = Hoist.builder().settings(settings());
    if (!insecureRegistries.isEmpty()) {
      builder.insecureRegistries(insecureRegistries);
    }
    if (store != null) {
      builder.store(store);
    }
    if (!certsDirectories.isEmpty()) {
      builder.certsDirectories(certsDirectories);
    }
    if (!registryMirrors.isEmpty()) {
      builder.registryMirrors(registryMirrors);
    }
    if (mirrorFallback != null) {
      builder.mirrorFallback(mirrorFallback);
    }
    if (hostsDir != null) {
      builder.hostsDirectory(hostsDir);
    }
    if (registriesConf != null) {
      builder.registriesConf(registriesConf);
    }
    return builder;
  }
}
