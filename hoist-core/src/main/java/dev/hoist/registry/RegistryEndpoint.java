package dev.hoist.registry;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a registry named in image references is reached: {@code docker.io} is served by
 * {@code registry-1.docker.io}; every other name is its own host. HTTPS is always tried first;
 * plain HTTP (and unverified TLS) only for loopback addresses, which docker always treats as
 * insecure, and for registries the user named insecure. {@link #tls()} says how TLS is set up for
 * it: verified or not, and the certs.d directory named after it, if there is one.
 */
record RegistryEndpoint(String name, String host, RegistryTls tls) {

  static final String DOCKER_HUB = "docker.io";
  static final String DOCKER_HUB_HOST = "registry-1.docker.io";

  static RegistryEndpoint of(String registryName, Set<String> insecureRegistries) {
    return of(registryName, insecureRegistries, new CertsDirectory(List.of()));
  }

  static RegistryEndpoint of(
      String registryName, Set<String> insecureRegistries, CertsDirectory certs) {
    String host = registryName.equals(DOCKER_HUB) ? DOCKER_HUB_HOST : registryName;
    boolean insecure =
        insecureRegistries.contains(registryName)
            || insecureRegistries.contains(host)
            || isLoopback(host);
    RegistryTls tls = new RegistryTls(
        registryName, insecure, certs.find(registryName), certs.suggested(registryName));
    return new RegistryEndpoint(registryName, host, tls);
  }

  /** Whether plain HTTP and unverified TLS are allowed. */
  boolean insecure() {
    return tls.insecure();
  }

  URI base(String scheme) {
    return URI.create(scheme + "://" + host);
  }

  /** Whether {@code uri} points at this registry itself (same host and port), any scheme. */
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

  /** {@code localhost}, 127.0.0.0/8 and ::1, with or without a port. */
  static boolean isLoopback(String hostAndPort) {
    String hostname = stripPort(hostAndPort).toLowerCase(Locale.ROOT);
    if (hostname.equals("localhost")) {
      return true;
    }
    if (!hostname.matches("[0-9.]+") && !hostname.startsWith("[")) {
      return false; // never resolve names here: DNS must not decide what is insecure
    }
    try {
      String literal = hostname.startsWith("[") ? hostname.substring(1, hostname.length() - 1) : hostname;
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String stripPort(String hostAndPort) {
    if (hostAndPort.startsWith("[")) {
      int end = hostAndPort.indexOf(']');
      return end < 0 ? hostAndPort : hostAndPort.substring(0, end + 1);
    }
    int colon = hostAndPort.lastIndexOf(':');
    return colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
  }
}
