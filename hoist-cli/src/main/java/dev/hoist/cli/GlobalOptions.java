package dev.hoist.cli;

import dev.hoist.Hoist;
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
      defaultValue = "true",
      fallbackValue = "true",
      description = "Pull from the upstream registry when its mirrors fail (default: true;"
          + " --no-mirror-fallback fails instead). A failed mirror is always reported.")
  boolean mirrorFallback = true;

  @Option(names = "--debug", description = "Log what hoist does and print stack traces of errors.")
  boolean debug;

  /** A {@link Hoist.Builder} set up from these options. */
  Hoist.Builder hoist() {
    Hoist.Builder builder = Hoist.builder()
        .insecureRegistries(insecureRegistries)
        .registryMirrors(registryMirrors)
        .mirrorFallback(mirrorFallback);
    if (store != null) {
      builder.store(store);
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
