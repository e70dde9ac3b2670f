package dev.hoist.registry;

import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.hosts.Endpoint;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client's {@link AuthSession}s: one for each endpoint and the name it is known by, made when
 * first asked for and kept for the client's life, with its {@link RegistryEndpoint}. The endpoint's
 * certs.d directory is looked up then: like the certificates in it, which are read once, a
 * directory made later is not seen by this client. Thread-safe.
 */
final class Sessions {
  private record Key(String name, Endpoint endpoint) {}

  private final Transport transport;
  private final CredentialProvider credentials;
  private final CertsDirectory certs;
  private final ConcurrentHashMap<Key, AuthSession> sessions = new ConcurrentHashMap<>();

  Sessions(Transport transport, CredentialProvider credentials, CertsDirectory certs) {
    this.transport = transport;
    this.credentials = credentials;
    this.certs = certs;
  }

  /** The session of {@code endpoint} known as {@code name}: its credentials and certs.d name. */
  AuthSession of(String name, Endpoint endpoint) {
    return sessions.computeIfAbsent(new Key(name, endpoint), k -> new AuthSession(
        RegistryEndpoint.of(k.name(), k.endpoint(), certs), transport, credentials));
  }

  /**
   * A session of its own, not kept, that offers {@code credential} alone: a login check neither
   * uses nor changes the client's credentials and tokens.
   */
  AuthSession checking(Credential credential, String registry, Endpoint upstream) {
    return new AuthSession(
        RegistryEndpoint.of(registry, upstream, certs), transport, r -> Optional.of(credential));
  }
}
