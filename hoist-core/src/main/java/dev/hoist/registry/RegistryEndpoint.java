package dev.hoist.registry;

import dev.hoist.hosts.Endpoint;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * An endpoint as a session talks to it: its configuration, the name it is known by for
 * credentials and in messages, and how TLS is set up for it. That name is the registry's ({@code
 * docker.io}) when the endpoint is the registry itself, and the endpoint's own {@code host[:port]}
 * otherwise, so that a mirror never gets the credentials of the registry it mirrors, only those
 * configured for its own host; certificates come from the certs.d directory of the same name.
 */
record RegistryEndpoint(String name, Endpoint endpoint, RegistryTls tls) {

  /** The endpoint named {@code name}, its TLS from {@code certs} (docker's certs.d layout). */
  static RegistryEndpoint of(String name, Endpoint endpoint, CertsDirectory certs) {
    boolean unverified = endpoint.insecure() || endpoint.skipVerify();
    Optional<java.nio.file.Path> directory = certs.find(name);
    return new RegistryEndpoint(name, endpoint, new RegistryTls(name, unverified, directory,
        certs.suggested(name), endpoint.caCertificates(), endpoint.clientCertificates()));
  }

  /** {@code host[:port]}. */
  String host() {
    return endpoint.host();
  }

  /** Whether plain HTTP may be tried when TLS fails, and HTTPS when plain HTTP is refused. */
  boolean insecure() {
    return endpoint.insecure();
  }

  /** The API root, with {@code scheme}. */
  URI root(String scheme) {
    URI root = endpoint.root();
    return URI.create(scheme + "://" + root.getRawAuthority() + root.getRawPath());
  }

  /** {@code request} with the headers configured for the endpoint (hosts.toml's {@code header}). */
  HttpRequest.Builder withHeaders(HttpRequest.Builder request) {
    endpoint.headers().forEach((name, values) -> values.forEach(v -> request.header(name, v)));
    return request;
  }

  /** Whether {@code uri} points at this endpoint itself (same host and port), any scheme. */
  boolean isSameHost(URI uri, URI base) {
    return uri.getHost() != null
        && uri.getHost().equalsIgnoreCase(base.getHost())
        && port(uri) == port(base);
  }

  private static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "http".equals(uri.getScheme()) ? 80 : 443;
  }
}
