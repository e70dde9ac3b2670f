package dev.hoist.registry;

import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.hosts.Capability;
import dev.hoist.hosts.Endpoint;
import dev.hoist.hosts.PullSource;
import dev.hoist.hosts.RegistryHosts;
import dev.hoist.hosts.Route;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.reference.ImageReference;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the distribution API (OCI distribution spec, Docker registry HTTP API v2) for
 * pulling: manifests and blobs, and the credential check of {@code docker login}. It owns the authentication handshake (see {@link AuthSession}),
 * follows blob redirects itself so the registry's {@code Authorization} header never reaches
 * another host, and turns error responses into {@link RegistryException}s worded as docker words
 * them.
 *
 * <p><b>Mirrors.</b> Each request goes to the endpoints {@link RegistryHosts} routes the image to,
 * in order: mirrors, then the upstream. Tag lookups (and tag lists) go to endpoints that may
 * {@linkplain Capability#RESOLVE resolve}, everything by digest to those that may {@linkplain
 * Capability#PULL pull}. When an endpoint fails (no connection, an error status, 404 included) the
 * next is asked and the fallback is reported as a {@link MirrorFallback}, to the listener of
 * {@link #reporting} or else as a logged warning. The last endpoint's failure is the request's.
 * Each endpoint has its own session: a mirror gets only the credentials configured for its own
 * host, never those of the registry it mirrors. Every endpoint other than the registry itself
 * gets the {@code ns=<registry>} query parameter, as containerd sends it.
 *
 * <p>Build one and share it: it is thread-safe, and keeps connections, tokens, the scheme and the
 * certificates of every endpoint it has talked to.
 */
public final class RegistryClient {
  /**
   * Where registries' certificates are looked up unless {@link Builder#certsDirectories} says
   * otherwise: docker's {@code /etc/docker/certs.d}, then containerd's {@code
   * /etc/containerd/certs.d} (only its docker-style {@code *.crt}, {@code *.cert} and {@code *.key}
   * files; {@code hosts.toml} is not read).
   */
  public static final List<Path> DEFAULT_CERTS_DIRECTORIES = CertsDirectory.DEFAULT_ROOTS;

  /** Manifests larger than this are refused before parsing (containerd's limit). */
  public static final int MAX_MANIFEST_BYTES = dev.hoist.image.Manifests.MAX_BYTES;

  private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);

  /** What every view of one client shares. */
  private record Shared(
      Transport transport,
      EndpointClient endpoints,
      RetryPolicy retry,
      RegistryHosts hosts,
      Sessions sessions) {}

  private final Shared shared;
  private final Consumer<MirrorFallback> listener; // null: log a warning

  private RegistryClient(Shared shared, Consumer<MirrorFallback> listener) {
    this.shared = shared;
    this.listener = listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * This client, sharing its connections, sessions and configuration, reporting fallbacks from one
   * endpoint to the next to {@code listener} (called on the requesting thread; it must be quick)
   * instead of logging them.
   */
  public RegistryClient reporting(Consumer<MirrorFallback> listener) {
    return new RegistryClient(shared, Objects.requireNonNull(listener, "listener == null"));
  }

  /**
   * Stops the HTTP clients' threads, for this client and every view {@link #reporting} made of it;
   * requests still running fail. Not needed for correctness, but it spares a JVM that exits next a
   * third of a second.
   */
  public void close() {
    shared.transport().close();
  }

  /** Where this client finds each registry's content. */
  public RegistryHosts hosts() {
    return shared.hosts();
  }

  /**
   * Fetches a manifest by tag or digest, with an {@code Accept} header naming every manifest type
   * hoist supports. The body is capped at {@link #MAX_MANIFEST_BYTES} ({@link dev.hoist.image.Manifests#MAX_BYTES}).
   *
   * @param image the repository, and the tag or digest the user asked for (for messages)
   * @param reference the tag or digest to fetch
   */
  public FetchedManifest getManifest(ImageReference image, String reference) throws IOException {
    Capability need = isDigest(reference) ? Capability.PULL : Capability.RESOLVE;
    return retrying(() -> onRoute(image, need, t -> shared.endpoints().manifest(t, reference)));
  }

  /**
   * Lists every tag of the repository, following the registry's {@code Link: <…>; rel="next"}
   * pages (the distribution spec's pagination) and asking for {@code pageSize} tags a page.
   */
  public List<String> listTags(ImageReference image, int pageSize) throws IOException {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize < 1: " + pageSize);
    }
    return retrying(() -> onRoute(image, Capability.RESOLVE, t -> shared.endpoints().tags(t, pageSize)));
  }

  /**
   * Asks for a manifest's descriptor without its body ({@code HEAD}): what a tag points to,
   * cheaply (Docker Hub does not count HEAD requests against its rate limit). Empty when the
   * registry does not answer 200 with a valid {@code Docker-Content-Digest}; the caller then falls
   * back to {@link #getManifest}, whose error bodies say why.
   */
  public Optional<Descriptor> headManifest(ImageReference image, String reference)
      throws IOException {
    Capability need = isDigest(reference) ? Capability.PULL : Capability.RESOLVE;
    return retrying(() -> onRoute(image, need, t -> shared.endpoints().head(t, reference)));
  }

  /**
   * The size of a blob, from a {@code HEAD} request: for schema 1 manifests, whose layers carry no
   * size.
   */
  public long blobSize(ImageReference image, Digest digest) throws IOException {
    return retrying(() -> onRoute(image, Capability.PULL, t -> shared.endpoints().blobSize(t, digest)));
  }

  /**
   * Opens a blob for download from byte {@code offset} on. When {@code offset > 0} the registry is
   * asked for a range; if it answers with the whole blob, or with a range other than the one
   * asked for, the returned stream starts at 0 and says so in {@link BlobStream#offset()}. Not
   * retried here: the downloader retries, resuming.
   */
  public BlobStream openBlob(ImageReference image, Digest digest, long offset) throws IOException {
    return onRoute(image, Capability.PULL, t -> shared.endpoints().blob(t, digest, offset));
  }

  /**
   * Opens a blob from one of its descriptor's {@code urls} (a foreign, or non-distributable,
   * layer): a plain GET with no credentials, redirects followed as for registry blobs. Only
   * {@code http} and {@code https} URLs are fetched; the caller verifies the digest.
   */
  public BlobStream openUrl(ImageReference image, URI url) throws IOException {
    String registry = image.domain();
    if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme()) || url.getHost() == null) {
      throw new RegistryException("refusing to fetch a layer from " + Redact.uri(url)
          + ": only http and https URLs are fetched", registry, 0, List.of());
    }
    return shared.endpoints().url(registry, url);
  }

  /**
   * Checks {@code credential} against {@code registry} the way {@code docker login} does, and
   * returns what to keep for later pulls. The client's own credentials and cached tokens are not
   * used or changed; the insecure-registry and loopback rules are those of pulls. Nothing is
   * retried. See {@link LoginCheck} for the exchange.
   *
   * @param registry the registry as named in image references: {@code docker.io}, {@code
   *     ghcr.io}, {@code localhost:5000}
   * @return {@code credential} itself, or, if the registry's token server issued a refresh token
   *     for it, that token as an {@linkplain Credential#isIdentityToken() identity token}: docker
   *     stores it instead of the password
   * @throws UnauthorizedException if the registry or its token server refused the credential;
   *     the message is docker's, such as {@code Get "https://…/v2/": unauthorized: incorrect
   *     username or password} or {@code login attempt to https://…/v2/ failed with status: 401
   *     Unauthorized}
   * @throws RegistryException if the registry cannot be reached or answered otherwise, or if its
   *     token realm is on another site (hoist never sends a password there)
   */
  public Credential login(String registry, Credential credential) throws IOException {
    java.util.Objects.requireNonNull(credential, "credential == null");
    // The registry's own host, never a mirror or another server: the credential is its own.
    Endpoint upstream = shared.hosts().ownEndpoint(registry);
    AuthSession session = shared.sessions().checking(credential, registry, upstream);
    return LoginCheck.verify(session, shared.transport(), credential);
  }

  /** The retry policy this client follows; blob downloads follow it too. */
  public RetryPolicy retryPolicy() {
    return shared.retry();
  }

  private interface Request<T> {
    T run() throws IOException;
  }

  private interface Call<T> {
    T run(Target target) throws IOException;
  }

  /**
   * Runs {@code call} on each endpoint of the image's route that can do {@code need}, in order,
   * until one succeeds; reports each move to the next endpoint. The last endpoint's failure is
   * thrown; when that endpoint is a mirror, the message says why nothing comes after it.
   */
  private <T> T onRoute(ImageReference image, Capability need, Call<T> call) throws IOException {
    Route route = shared.hosts().route(image);
    if (route.blockedBy().isPresent()) {
      throw new RouteException("pulling " + image.familiarName() + " is blocked by "
          + route.blockedBy().get(), route.registry());
    }
    List<PullSource> candidates = route.candidates(need);
    if (candidates.isEmpty()) {
      throw new RouteException("no configured endpoint of " + route.registry() + " may "
          + (need == Capability.RESOLVE ? "resolve tags" : "pull") + " (capabilities in "
          + route.sources().stream().map(s -> s.endpoint().source()).distinct().toList() + ")",
          route.registry());
    }
    for (int i = 0; ; i++) {
      PullSource source = candidates.get(i);
      boolean last = i == candidates.size() - 1;
      Endpoint endpoint = source.endpoint();
      Target target = new Target(
          session(route, endpoint), image, source.repository(), route.namespace(endpoint), last);
      try {
        return call.run(target);
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        if (last) {
          throw endpoint.mirror() ? Failures.lastMirror(e, route, endpoint, need) : e;
        }
        report(new MirrorFallback(route.registry(), endpoint, candidates.get(i + 1).endpoint(), e));
      }
    }
  }

  private void report(MirrorFallback fallback) {
    if (listener == null) {
      log.warn("{}", fallback.message());
      return;
    }
    log.debug("{}", fallback.message());
    try {
      listener.accept(fallback);
    } catch (RuntimeException e) {
      log.warn("fallback listener failed; ignoring it", e);
    }
  }

  private AuthSession session(Route route, Endpoint endpoint) {
    // The registry's credentials for the registry itself; a mirror's own host's for a mirror.
    String name = endpoint.isHostOf(route.registry()) ? route.registry() : endpoint.host();
    return shared.sessions().of(name, endpoint);
  }

  private static boolean isDigest(String reference) {
    return reference.indexOf(':') > 0;
  }

  /** Runs a whole request (to its parsed body) again while the failure is worth retrying. */
  private <T> T retrying(Request<T> request) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return request.run();
      } catch (IOException e) {
        if (attempt >= shared.retry().maxAttempts() || !shared.retry().isRetryable(e)) {
          throw e;
        }
        sleep(shared.retry().delay(attempt, e));
      }
    }
  }

  private static void sleep(Duration delay) throws InterruptedIOException {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry");
    }
  }

  /** Configures a {@link RegistryClient}; every default is here. */
  public static final class Builder {
    private CredentialProvider credentials = CredentialProvider.anonymous();
    private Collection<String> insecureRegistries = List.of();
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private String userAgent = "hoist/0.1";
    private Duration stallTimeout = Duration.ofSeconds(30);
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private List<Path> certsDirectories = DEFAULT_CERTS_DIRECTORIES;
    private ProxySettings proxies;
    private final RegistryHosts.Builder hosts = RegistryHosts.builder();
    private RegistryHosts builtHosts;

    private Builder() {}

    /** Where credentials come from; anonymous by default. */
    public Builder credentials(CredentialProvider credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials == null");
      return this;
    }

    /**
     * Registries (names as in image references, {@code host[:port]}) that may be reached over
     * plain HTTP or unverified TLS. Loopback addresses always may. Mirrors too are named by their
     * {@code host[:port]}.
     */
    public Builder insecureRegistries(Collection<String> registries) {
      this.insecureRegistries = List.copyOf(registries);
      return this;
    }

    /**
     * Where registries' CA and client certificates are looked up, in docker's {@code certs.d}
     * layout: for registry {@code host[:port]}, the directory of that name in the first of {@code
     * roots} that has one, with {@code *.crt} CA certificates (trusted in addition to the system's)
     * and {@code *.cert} client certificates with their {@code *.key}. A registry's directory is
     * looked up and read when the client first talks to the registry. Replaces the default, {@link
     * #DEFAULT_CERTS_DIRECTORIES}; an empty list reads none.
     */
    public Builder certsDirectories(List<Path> roots) {
      this.certsDirectories = List.copyOf(roots);
      return this;
    }

    /**
     * containerd's hosts directory ({@code certs.d/<host>/hosts.toml}, as {@code ctr --hosts-dir}
     * or containerd's {@code config_path}); it must exist. None by default.
     */
    public Builder hostsDirectory(Path directory) {
      hosts.hostsDirectory(directory);
      return this;
    }

    /** containerd's default hosts directory, {@code /etc/containerd/certs.d}, if it exists. */
    public Builder systemHostsDirectory() {
      hosts.systemHostsDirectory();
      return this;
    }

    /**
     * The HTTP proxies to use, with Go's (and docker's) rules; see {@link ProxySettings}. Unset,
     * the JDK's default proxy selector applies (its {@code http.proxyHost} system properties).
     */
    public Builder proxies(ProxySettings proxies) {
      this.proxies = java.util.Objects.requireNonNull(proxies, "proxies == null");
      return this;
    }

    /**
     * This containers {@code registries.conf} file alone (without drop-in directories); it must
     * exist. None by default.
     */
    public Builder registriesConf(Path file) {
      hosts.registriesConf(file);
      return this;
    }

    /**
     * The {@code registries.conf} files containers/image reads (see {@link
     * RegistryHosts.Builder#systemRegistriesConf}).
     */
    public Builder systemRegistriesConf() {
      hosts.systemRegistriesConf();
      return this;
    }

    /** Mirrors of Docker Hub ({@code https://host[:port]}), as docker's {@code registry-mirrors}. */
    public Builder registryMirrors(List<URI> mirrors) {
      hosts.registryMirrors(mirrors);
      return this;
    }

    /**
     * Whether a request goes to the upstream registry when its mirrors failed; true by default (as
     * containerd). Off, the pull fails, naming the mirror.
     */
    public Builder mirrorFallback(boolean fallback) {
      hosts.fallback(fallback);
      return this;
    }

    /**
     * Where each registry's content comes from, configured in full; replaces what {@link
     * #hostsDirectory}, {@link #registriesConf}, {@link #registryMirrors}, {@link
     * #mirrorFallback} and {@link #insecureRegistries} would configure.
     */
    public Builder hosts(RegistryHosts hosts) {
      this.builtHosts = Objects.requireNonNull(hosts, "hosts == null");
      return this;
    }

    /** How long to wait for a TCP (and TLS) connection; 30 s by default. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** How long to wait for response headers; 60 s by default. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /** How long a response body may send nothing before the attempt fails; 30 s by default. */
    public Builder stallTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("stallTimeout <= 0: " + timeout);
      }
      this.stallTimeout = timeout;
      return this;
    }

    /** When failed requests are retried; {@link RetryPolicy#DEFAULT} by default. */
    public Builder retryPolicy(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry == null");
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Builds the client, reading the configured {@code registries.conf}.
     *
     * @throws dev.hoist.hosts.HostsConfigException if a configuration file is missing or invalid
     */
    public RegistryClient build() throws IOException {
      RegistryHosts routes = builtHosts != null
          ? builtHosts
          : hosts.insecureRegistries(insecureRegistries).build();
      Transport transport = new Transport(connectTimeout, requestTimeout, stallTimeout, userAgent,
          proxies == null ? null : new ProxyRules(proxies));
      Sessions sessions = new Sessions(transport, credentials, new CertsDirectory(certsDirectories));
      return new RegistryClient(
          new Shared(transport, new EndpointClient(transport), retry, routes, sessions), null);
    }
  }
}
