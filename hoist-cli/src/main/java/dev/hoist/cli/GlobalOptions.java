package dev.hoist.cli;

import dev.hoist.Hoist;
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

  @Option(names = "--debug", description = "Log what hoist does and print stack traces of errors.")
  boolean debug;

  /** A {@link Hoist.Builder} set up from these options. */
  Hoist.Builder hoist() {
    Hoist.Builder builder = Hoist.builder().insecureRegistries(insecureRegistries);
    if (store != null) {
      builder.store(store);
    }
    if (!certsDirectories.isEmpty()) {
      builder.certsDirectories(certsDirectories);
    }
    return builder;
  }
}
