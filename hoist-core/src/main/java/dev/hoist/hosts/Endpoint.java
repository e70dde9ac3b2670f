package dev.hoist.hosts;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One place a registry's content may come from: a mirror, or the upstream registry itself. What
 * {@code hoist} needs to talk to it, and where that was configured. Immutable.
 *
 * @param root the API root: scheme, host, port and path, such as {@code https://mirror.example/v2};
 *     requests go to {@code root + "/" + repository + "/manifests/" + reference}. The path is
 *     {@code /v2} appended to the configured one unless {@code override_path} said it is the root.
 * @param mirror whether this is a mirror (tried before the upstream, and left out when falling back
 *     to the upstream is off) rather than the upstream registry (or {@code hosts.toml}'s {@code
 *     server})
 * @param capabilities what the endpoint may be asked to do
 * @param insecure whether TLS certificates go unchecked and plain HTTP may be tried when TLS fails
 *     (and, for an {@code http} root, HTTPS when plain HTTP is refused): {@code --insecure-registry},
 *     {@code insecure = true} in {@code registries.conf}, and loopback hosts
 * @param skipVerify whether TLS certificates go unchecked, without trying another scheme ({@code
 *     skip_verify} in {@code hosts.toml})
 * @param caCertificates extra CA certificates (PEM files) to trust for this endpoint
 * @param clientCertificates TLS client certificates to offer
 * @param headers extra headers sent with every request to the endpoint, names in lower case
 * @param pullFromMirror which pulls a mirror serves; always {@link PullFromMirror#ALL} for the
 *     upstream
 * @param source where this endpoint was configured: a file, a setting, or {@code "default"}
 */
public record Endpoint(
    URI root,
    boolean mirror,
    Set<Capability> capabilities,
    boolean insecure,
    boolean skipVerify,
    List<Path> caCertificates,
    List<ClientCertificate> clientCertificates,
    Map<String, List<String>> headers,
    PullFromMirror pullFromMirror,
    String source) {

  /** Where an endpoint configured nowhere comes from. */
  public static final String DEFAULT_SOURCE = "default";

  public Endpoint {
    Objects.requireNonNull(root, "root == null");
    if (!"https".equals(root.getScheme()) && !"http".equals(root.getScheme())) {
      throw new IllegalArgumentException("root is not an http or https URI: " + root);
    }
    if (root.getHost() == null || root.getRawQuery() != null || root.getRawFragment() != null
        || root.getRawUserInfo() != null) {
      throw new IllegalArgumentException("root must be scheme://host[:port][/path]: " + root);
    }
    if (root.getRawPath() != null && root.getRawPath().endsWith("/")) {
      throw new IllegalArgumentException("root ends with '/': " + root);
    }
    capabilities = Collections.unmodifiableSet(
        capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities));
    caCertificates = List.copyOf(caCertificates);
    clientCertificates = List.copyOf(clientCertificates);
    Map<String, List<String>> h = new TreeMap<>();
    headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    headers = Collections.unmodifiableMap(h);
    Objects.requireNonNull(pullFromMirror, "pullFromMirror == null");
    Objects.requireNonNull(source, "source == null");
  }

  /** {@code host[:port]} of the root, as in image references. */
  public String host() {
    return root.getRawAuthority();
  }

  /**
   * Whether this endpoint is on {@code registry}'s own host (Docker Hub's is {@value
   * RegistryHosts#DOCKER_HUB_HOST}), rather than on a mirror or a server that a hosts directory
   * sends the registry's requests to.
   */
  public boolean isHostOf(String registry) {
    String host = host();
    return host.equals(registry)
        || registry.equals(RegistryHosts.DOCKER_HUB) && host.equals(RegistryHosts.DOCKER_HUB_HOST);
  }

  /** Whether the endpoint may be asked to do {@code capability}. */
  public boolean can(Capability capability) {
    return capabilities.contains(capability);
  }

  /**
   * One line for people: {@code http://127.0.0.1:5001/v2 (mirror: pull, resolve; insecure; from
   * /etc/containerd/certs.d/docker.io/hosts.toml)}.
   */
  @Override
  public String toString() {
    List<String> notes = new ArrayList<>();
    List<String> caps = capabilities.stream().map(Capability::configName).toList();
    notes.add((mirror ? "mirror: " : "upstream: ") + (caps.isEmpty() ? "nothing" : String.join(", ", caps)));
    if (pullFromMirror != PullFromMirror.ALL) {
      notes.add(pullFromMirror.configName());
    }
    if (insecure) {
      notes.add("insecure");
    } else if (skipVerify) {
      notes.add("skip_verify");
    }
    if (!caCertificates.isEmpty()) {
      notes.add("ca " + caCertificates);
    }
    if (!clientCertificates.isEmpty()) {
      notes.add("client " + clientCertificates);
    }
    if (!headers.isEmpty()) {
      notes.add("headers " + String.join(", ", headers.keySet()));
    }
    notes.add("from " + source);
    return root + " (" + String.join("; ", notes) + ")";
  }

  static Builder builder(URI root, boolean mirror, String source) {
    return new Builder(root, mirror, source);
  }

  /** Collects an endpoint's settings while a configuration file is read. */
  static final class Builder {
    private final URI root;
    private final boolean mirror;
    private final String source;
    private Set<Capability> capabilities = EnumSet.allOf(Capability.class);
    private boolean insecure;
    private boolean skipVerify;
    private List<Path> caCertificates = List.of();
    private List<ClientCertificate> clientCertificates = List.of();
    private Map<String, List<String>> headers = new LinkedHashMap<>();
    private PullFromMirror pullFromMirror = PullFromMirror.ALL;

    private Builder(URI root, boolean mirror, String source) {
      this.root = root;
      this.mirror = mirror;
      this.source = source;
    }

    Builder capabilities(Set<Capability> capabilities) {
      this.capabilities = capabilities;
      return this;
    }

    Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    Builder skipVerify(boolean skipVerify) {
      this.skipVerify = skipVerify;
      return this;
    }

    Builder caCertificates(List<Path> caCertificates) {
      this.caCertificates = caCertificates;
      return this;
    }

    Builder clientCertificates(List<ClientCertificate> clientCertificates) {
      this.clientCertificates = clientCertificates;
      return this;
    }

    Builder headers(Map<String, List<String>> headers) {
      this.headers = headers;
      return this;
    }

    Builder pullFromMirror(PullFromMirror pullFromMirror) {
      this.pullFromMirror = pullFromMirror;
      return this;
    }

    Endpoint build() {
      return new Endpoint(root, mirror, capabilities, insecure, skipVerify, caCertificates,
          clientCertificates, headers, pullFromMirror, source);
    }
  }
}
