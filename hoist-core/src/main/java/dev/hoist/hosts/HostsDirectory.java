package dev.hoist.hosts;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * containerd's hosts directory ({@code config_path}, {@code ctr --hosts-dir}): one directory per
 * registry, found as containerd finds it: {@code host_port_} (for {@code host:port}), then {@code
 * host:port} (or {@code host}), then {@code _default}. The first that exists is used: its {@code
 * hosts.toml}, or, without one, docker's certificate files in it ({@code *.crt} CA certificates,
 * {@code *.cert} client certificates with their {@code *.key}) for the registry itself.
 */
final class HostsDirectory {
  static final Path DEFAULT = Path.of("/etc/containerd/certs.d");
  static final String DEFAULT_DIR = "_default";

  /** The directory chosen for a registry; {@code fallback} when it is {@code _default}. */
  record Found(Path dir, boolean fallback) {}

  private final Path root;

  HostsDirectory(Path root) {
    this.root = root;
  }

  Optional<Found> find(String registry) {
    List<String> names = new ArrayList<>();
    int colon = registry.lastIndexOf(':');
    if (colon > 0 && !registry.endsWith("]")) {
      names.add(registry.substring(0, colon) + "_" + registry.substring(colon + 1) + "_");
    }
    names.add(registry);
    for (String name : names) {
      Path dir = root.resolve(name);
      if (isSafeName(name) && Files.isDirectory(dir)) {
        return Optional.of(new Found(dir, false));
      }
    }
    Path fallback = root.resolve(DEFAULT_DIR);
    return Files.isDirectory(fallback) ? Optional.of(new Found(fallback, true)) : Optional.empty();
  }

  /** A registry name never walks out of the hosts directory. */
  private static boolean isSafeName(String name) {
    return !name.isEmpty() && !name.contains("/") && !name.equals(".") && !name.equals("..");
  }

  /** The endpoints of a found directory: {@code upstream} is the registry's own API root. */
  static List<Endpoint> endpoints(Found found, URI upstream) throws IOException {
    Path file = found.dir().resolve("hosts.toml");
    if (Files.isRegularFile(file)) {
      return HostsToml.read(file, upstream);
    }
    return List.of(certificateFiles(found.dir(), upstream));
  }

  private static Endpoint certificateFiles(Path dir, URI upstream) throws IOException {
    List<Path> cas = new ArrayList<>();
    List<ClientCertificate> clients = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(files::add);
    } catch (IOException e) {
      throw new HostsConfigException(dir, "cannot list it: " + e, e);
    }
    files.sort(null);
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (!Files.isRegularFile(f)) {
        continue;
      }
      if (name.endsWith(".crt")) {
        cas.add(f);
      } else if (name.endsWith(".cert")) {
        Path key = f.resolveSibling(name.substring(0, name.length() - 5) + ".key");
        clients.add(new ClientCertificate(f, Files.exists(key) ? Optional.of(key) : Optional.empty()));
      }
    }
    return Endpoint.builder(upstream, false, dir.toString())
        .caCertificates(cas)
        .clientCertificates(clients)
        .build();
  }
}
