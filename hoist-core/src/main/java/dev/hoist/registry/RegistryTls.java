package dev.hoist.registry;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How hoist speaks TLS with one registry: verified against the system's CAs (and those of its
 * certs.d directory) or, for an insecure registry, not verified at all; with the client
 * certificates of its certs.d directory either way. {@code suggested} is where messages tell the
 * user to put the registry's files.
 */
record RegistryTls(String registry, boolean insecure, Optional<Path> directory, Path suggested) {

  /** Verified against the system's CAs only: for hosts that are not a registry, such as layer URLs. */
  static RegistryTls verified(String host) {
    return new RegistryTls(host, false, Optional.empty(), CertsDirectory.DEFAULT_ROOTS.get(0).resolve(host));
  }
}
