package dev.hoist.registry;

import dev.hoist.hosts.ClientCertificate;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How hoist speaks TLS with one registry: verified against the system's CAs (and those of its
 * certs.d directory) or, for an insecure registry, not verified at all; with the client
 * certificates of its certs.d directory either way. {@code suggested} is where messages tell the
 * user to put the registry's files. {@code caFiles} and {@code clientFiles} are the files a
 * {@code hosts.toml} names ({@code ca}, {@code client}), used with those of the directory.
 */
record RegistryTls(
    String registry, boolean insecure, Optional<Path> directory, Path suggested,
    List<Path> caFiles, List<ClientCertificate> clientFiles) {

  RegistryTls {
    caFiles = List.copyOf(caFiles);
    clientFiles = List.copyOf(clientFiles);
  }

  RegistryTls(String registry, boolean insecure, Optional<Path> directory, Path suggested) {
    this(registry, insecure, directory, suggested, List.of(), List.of());
  }

  /** Verified against the system's CAs only: for hosts that are not a registry, such as layer URLs. */
  static RegistryTls verified(String host) {
    return new RegistryTls(host, false, Optional.empty(), CertsDirectory.DEFAULT_ROOTS.get(0).resolve(host));
  }
}
