package dev.hoist.hosts;

import dev.hoist.reference.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each registry's content may come from, read from the places users already configure it:
 * docker's {@code registry-mirrors} (for Docker Hub), containerd's hosts directory ({@code
 * certs.d/<host>/hosts.toml}) and containers' {@code registries.conf}. For an image it gives a
 * {@link Route}: the endpoints to try in order, mirrors first, then the upstream.
 *
 * <p>One source configures an image, the most specific one that has something for it:
 *
 * <ol>
 *   <li>{@link Builder#registryMirrors registry mirrors}, for {@code docker.io} images;
 *   <li>the hosts directory's own directory for the registry ({@code host_port_}, {@code
 *       host:port} or {@code host});
 *   <li>the {@code registries.conf} table with the longest prefix matching the image;
 *   <li>the hosts directory's {@code _default};
 *   <li>otherwise the registry alone ({@code docker.io} is served by {@code registry-1.docker.io}).
 * </ol>
 *
 * A {@code registries.conf} table that says {@code blocked = true} blocks the image whichever
 * source gives its endpoints. Every endpoint on a loopback host or named by {@link
 * Builder#insecureRegistries} is insecure.
 *
 * <p>Thread-safe. Configuration files are read when first needed (a route), then kept; so is each
 * image reference's route, as the configuration does not change.
 */
public final class RegistryHosts {
  /** Docker Hub's name in references. */
  public static final String DOCKER_HUB = "docker.io";
  /** The host that serves Docker Hub's registry API. */
  public static final String DOCKER_HUB_HOST = "registry-1.docker.io";
  /** Where containerd's hosts directory is unless configured ({@code config_path}). */
  public static final Path DEFAULT_HOSTS_DIRECTORY = HostsDirectory.DEFAULT;
  /** The source named by endpoints from {@link Builder#registryMirrors}. */
  public static final String REGISTRY_MIRRORS_SOURCE = "registry-mirrors";

  static final Set<Capability> MIRROR_CAPABILITIES = EnumSet.of(Capability.PULL, Capability.RESOLVE);
  private static final int MAX_ROUTES_KEPT = 1024;

  private final HostsDirectory hostsDirectory; // null: none
  private final Load<RegistriesConf> registriesConfLoader;
  private volatile RegistriesConf registriesConf; // null until first needed
  private final List<Endpoint> dockerMirrors;
  private final Set<String> insecureRegistries;
  private final boolean fallback;
  private final ConcurrentHashMap<String, Optional<HostsEntry>> hosts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ImageReference, Route> routes = new ConcurrentHashMap<>();

  /** What the hosts directory says of one registry. */
  private record HostsEntry(List<Endpoint> endpoints, boolean fromDefault) {}

  private interface Load<T> {
    T load() throws IOException;
  }

  private RegistryHosts(Builder b, Load<RegistriesConf> registriesConf) {
    this.hostsDirectory = b.hostsDirectory == null ? null : new HostsDirectory(b.hostsDirectory);
    this.registriesConfLoader = registriesConf;
    this.dockerMirrors = List.copyOf(b.dockerMirrors);
    this.insecureRegistries = Set.copyOf(b.insecureRegistries);
    this.fallback = b.fallback;
  }

  /** Every registry serves itself, with no mirrors: what hoist does when configured with nothing. */
  public static RegistryHosts none() {
    return new RegistryHosts(new Builder(), () -> RegistriesConf.EMPTY);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether the upstream is tried after the mirrors failed (yes by default, as containerd). */
  public boolean fallback() {
    return fallback;
  }

  /**
   * The endpoints to try for {@code reference}, in order. Mirrors that {@code pull-from-mirror}
   * keeps for pulls by digest are left out for a reference without one, and the other way round.
   *
   * @throws HostsConfigException if the registry's {@code hosts.toml} is not valid
   */
  public Route route(ImageReference reference) throws IOException {
    if (routes.size() >= MAX_ROUTES_KEPT) {
      routes.clear(); // a long-lived client pulling ever new digests must not keep them all
    }
    return kept(routes, reference, () -> route(
        reference.domain(), reference.path(), reference.toString(), reference.digest().isPresent()));
  }

  /**
   * Every endpoint configured for {@code registry} (a name as in references: {@code docker.io},
   * {@code host:port}) in the order they are tried, whatever the kind of pull; {@code
   * registries.conf} tables for prefixes narrower than the registry are not included.
   */
  public List<Endpoint> endpoints(String registry) throws IOException {
    Objects.requireNonNull(registry, "registry == null");
    return route(registry, "", registry, null).sources().stream().map(PullSource::endpoint).toList();
  }

  /**
   * The endpoint on {@code registry}'s own host, where the registry's credentials belong (a
   * login checks them there): the one the configuration gives, with its TLS settings and headers,
   * else the registry's default root. Never a mirror, nor a {@code server} on another host.
   */
  public Endpoint ownEndpoint(String registry) throws IOException {
    for (Endpoint endpoint : endpoints(registry)) {
      if (!endpoint.mirror() && endpoint.isHostOf(registry)) {
        return endpoint;
      }
    }
    return secured(upstream(registry), registry);
  }

  private Route route(String registry, String path, String reference, Boolean byDigest)
      throws IOException {
    Optional<RegistriesConf.Entry> conf = registriesConf().find(reference);
    Optional<String> blockedBy =
        conf.filter(RegistriesConf.Entry::blocked).map(e -> e.source().toString());
    List<PullSource> sources = new ArrayList<>();
    Optional<HostsEntry> fromHosts = hostsEntry(registry);
    if (registry.equals(DOCKER_HUB) && !dockerMirrors.isEmpty()) {
      dockerMirrors.forEach(m -> sources.add(new PullSource(m, path)));
      sources.add(new PullSource(upstream(registry), path));
    } else if (fromHosts.isPresent() && !fromHosts.get().fromDefault()) {
      fromHosts.get().endpoints().forEach(e -> sources.add(new PullSource(e, path)));
    } else if (conf.isPresent()) {
      sources.addAll(RegistriesConf.sources(conf.get(), registry, path, reference));
    } else if (fromHosts.isPresent()) {
      fromHosts.get().endpoints().forEach(e -> sources.add(new PullSource(e, path)));
    } else {
      sources.add(new PullSource(upstream(registry), path));
    }
    List<PullSource> result = new ArrayList<>();
    for (PullSource s : sources) {
      if (byDigest == null || s.endpoint().pullFromMirror().serves(byDigest)) {
        result.add(new PullSource(secured(s.endpoint(), registry), s.repository()));
      }
    }
    return new Route(registry, result, fallback, blockedBy);
  }

  /**
   * {@code registries.conf}, read when first needed: a command that pulls nothing must not fail
   * for a broken file it does not use. A failed read is tried again next time.
   */
  private RegistriesConf registriesConf() throws IOException {
    RegistriesConf conf = registriesConf;
    if (conf == null) {
      synchronized (this) {
        if (registriesConf == null) {
          registriesConf = registriesConfLoader.load();
        }
        conf = registriesConf;
      }
    }
    return conf;
  }

  private Optional<HostsEntry> hostsEntry(String registry) throws IOException {
    if (hostsDirectory == null) {
      return Optional.empty();
    }
    return kept(hosts, registry, () -> {
      Optional<HostsDirectory.Found> found = hostsDirectory.find(registry);
      if (found.isEmpty()) {
        return Optional.empty();
      }
      List<Endpoint> endpoints = HostsDirectory.endpoints(found.get(), defaultRoot(registry));
      return Optional.of(new HostsEntry(endpoints, found.get().fallback()));
    });
  }

  /**
   * What {@code map} keeps for {@code key}, loaded and kept if it has nothing yet. A failed load
   * keeps nothing, so a file fixed since is read next time. Callers racing on one key all get the
   * value kept first.
   */
  private static <K, V> V kept(ConcurrentHashMap<K, V> map, K key, Load<V> load) throws IOException {
    V value = map.get(key);
    if (value != null) {
      return value;
    }
    V loaded = load.load();
    value = map.putIfAbsent(key, loaded);
    return value != null ? value : loaded;
  }

  /** The registry itself, as nothing configures it. */
  private static Endpoint upstream(String registry) {
    return Endpoint.builder(defaultRoot(registry), false, Endpoint.DEFAULT_SOURCE).build();
  }

  /**
   * The API root of a registry named as in references: plain HTTP first for loopback hosts (as
   * containerd, and they are insecure so HTTPS is tried next), HTTPS everywhere else.
   */
  static URI defaultRoot(String registry) {
    String host = registry.equals(DOCKER_HUB) ? DOCKER_HUB_HOST : registry;
    return URI.create((isLoopback(host) ? "http" : "https") + "://" + host + "/v2");
  }

  /** The endpoint, insecure if it is on a loopback host or its host was named insecure. */
  private Endpoint secured(Endpoint e, String registry) {
    boolean insecure = e.insecure() || isLoopback(e.host()) || insecureRegistries.contains(e.host())
        || !e.mirror() && e.host().equals(defaultRoot(registry).getRawAuthority())
            && insecureRegistries.contains(registry);
    if (insecure == e.insecure()) {
      return e;
    }
    return new Endpoint(e.root(), e.mirror(), e.capabilities(), true, e.skipVerify(),
        e.caCertificates(), e.clientCertificates(), e.headers(), e.pullFromMirror(), e.source());
  }

  /**
   * {@code localhost}, 127.0.0.0/8 and ::1, with or without a port: hosts docker always treats as
   * insecure. Names are never resolved (DNS must not decide what is insecure).
   */
  public static boolean isLoopback(String hostAndPort) {
    return Loopback.is(hostAndPort);
  }

  /** Configures a {@link RegistryHosts}; by default nothing is read and nothing is mirrored. */
  public static final class Builder {
    private Path hostsDirectory;
    private boolean hostsDirectoryRequired;
    private Path registriesConf;
    private boolean systemRegistriesConf;
    private List<Endpoint> dockerMirrors = List.of();
    private Collection<String> insecureRegistries = List.of();
    private boolean fallback = true;

    private Builder() {}

    /**
     * containerd's hosts directory to read ({@code ctr --hosts-dir}, containerd's {@code
     * config_path}); it must exist.
     */
    public Builder hostsDirectory(Path directory) {
      this.hostsDirectory = Objects.requireNonNull(directory, "directory == null");
      this.hostsDirectoryRequired = true;
      return this;
    }

    /** containerd's default hosts directory, {@code /etc/containerd/certs.d}, if it exists. */
    public Builder systemHostsDirectory() {
      this.hostsDirectory = Files.isDirectory(DEFAULT_HOSTS_DIRECTORY) ? DEFAULT_HOSTS_DIRECTORY : null;
      this.hostsDirectoryRequired = false;
      return this;
    }

    /** Reads no hosts directory. */
    public Builder noHostsDirectory() {
      this.hostsDirectory = null;
      return this;
    }

    /** This {@code registries.conf} alone (no drop-in directories); it must exist. */
    public Builder registriesConf(Path file) {
      this.registriesConf = Objects.requireNonNull(file, "file == null");
      this.systemRegistriesConf = false;
      return this;
    }

    /**
     * The {@code registries.conf} files containers/image reads: {@code
     * $CONTAINERS_REGISTRIES_CONF} alone if set; else {@code ~/.config/containers/registries.conf}
     * if it exists, with its drop-in directory {@code registries.conf.d}; else {@code
     * /etc/containers/registries.conf} with {@code /etc/containers/registries.conf.d} and the
     * user's drop-in directory. Missing files configure nothing.
     */
    public Builder systemRegistriesConf() {
      this.registriesConf = null;
      this.systemRegistriesConf = true;
      return this;
    }

    /** Reads no {@code registries.conf}. */
    public Builder noRegistriesConf() {
      this.registriesConf = null;
      this.systemRegistriesConf = false;
      return this;
    }

    /**
     * Mirrors of Docker Hub, as docker's {@code registry-mirrors}: {@code https://host[:port]}
     * URLs (a path is the prefix of the API root), tried in order before {@code docker.io}.
     *
     * @throws IllegalArgumentException if one is not an http or https URL
     */
    public Builder registryMirrors(List<URI> mirrors) {
      List<Endpoint> endpoints = new ArrayList<>();
      for (URI m : mirrors) {
        Objects.requireNonNull(m, "mirror == null");
        if (!("https".equals(m.getScheme()) || "http".equals(m.getScheme())) || m.getHost() == null
            || m.getRawQuery() != null || m.getRawFragment() != null || m.getRawUserInfo() != null) {
          throw new IllegalArgumentException("registry mirror must be http(s)://host[:port][/path]: " + m);
        }
        URI root = HostsToml.apiRoot(m.getScheme(), m.getRawAuthority(), m.getRawPath(), false);
        endpoints.add(Endpoint.builder(root, true, REGISTRY_MIRRORS_SOURCE)
            .capabilities(MIRROR_CAPABILITIES).build());
      }
      this.dockerMirrors = endpoints;
      return this;
    }

    /** Hosts ({@code host[:port]}) whose endpoints may use plain HTTP or unverified TLS. */
    public Builder insecureRegistries(Collection<String> registries) {
      this.insecureRegistries = List.copyOf(registries);
      return this;
    }

    /**
     * Whether the upstream is tried when every mirror failed; true by default, as containerd. Off,
     * a pull fails when the mirrors do (unless no mirror can do what is asked, such as resolving a
     * tag with pull-only mirrors: then the upstream is the only way).
     */
    public Builder fallback(boolean fallback) {
      this.fallback = fallback;
      return this;
    }

    /**
     * Checks that the chosen hosts directory and {@code registries.conf} exist; files are read
     * when a route first needs them.
     *
     * @throws HostsConfigException if a chosen file or directory is missing
     */
    public RegistryHosts build() throws IOException {
      return build(System.getenv(), Path.of(System.getProperty("user.home")),
          RegistriesConf.SYSTEM_FILE, RegistriesConf.SYSTEM_DIR);
    }

    RegistryHosts build(Map<String, String> env, Path home, Path systemFile, Path systemDir)
        throws IOException {
      if (hostsDirectory != null && hostsDirectoryRequired && !Files.isDirectory(hostsDirectory)) {
        throw new HostsConfigException(hostsDirectory, "", "not a directory");
      }
      Path chosen = registriesConf;
      if (chosen != null && !Files.isRegularFile(chosen)) {
        throw new HostsConfigException(chosen, "", "no such file");
      }
      Load<RegistriesConf> loader = () -> RegistriesConf.EMPTY;
      if (chosen != null) {
        loader = () -> RegistriesConf.load(chosen);
      } else if (systemRegistriesConf) {
        loader = () -> RegistriesConf.loadSystem(env, home, systemFile, systemDir);
      }
      return new RegistryHosts(this, loader);
    }
  }
}
