package dev.hoist.hosts;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A TLS client certificate for an {@link Endpoint}, as {@code client} in {@code hosts.toml}: a PEM
 * certificate and its key, or one PEM file holding both (no {@code key}).
 */
public record ClientCertificate(Path certificate, Optional<Path> key) {
  public ClientCertificate {
    Objects.requireNonNull(certificate, "certificate == null");
    Objects.requireNonNull(key, "key == null");
  }

  @Override
  public String toString() {
    return key.map(k -> certificate + " + " + k).orElse(certificate.toString());
  }
}
