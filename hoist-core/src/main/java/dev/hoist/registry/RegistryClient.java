package dev.hoist.registry;

import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.MediaTypes;
import dev.hoist.reference.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the distribution API (OCI distribution spec, Docker registry HTTP API v2) for
 * pulling: manifests and blobs, and the credential check of {@code docker login}. It owns the authentication handshake (see {@link AuthSession}),
 * follows blob redirects itself so the registry's {@code Authorization} header never reaches
 * another host, and turns error responses into {@link RegistryException}s worded as docker words
 * them.
 *
 * <p>Build one and share it: it is thread-safe, and keeps connections, tokens and the scheme of
 * every registry it has talked to.
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
  public static final int MAX_MANIFEST_BYTES = 4 << 20;

  private static final int MAX_REDIRECTS = 10;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final Transport transport;
  private final RetryPolicy retry;
  private final CredentialProvider credentials;
  private final Set<String> insecureRegistries;
  private final CertsDirectory certs;
  private final ConcurrentHashMap<String, AuthSession> sessions = new ConcurrentHashMap<>();

  private RegistryClient(Builder b) {
    this.transport = new Transport(b.connectTimeout, b.requestTimeout, b.stallTimeout, b.userAgent,
        b.proxies == null ? null : new ProxyRules(b.proxies));
    this.retry = b.retry;
    this.credentials = b.credentials;
    this.insecureRegistries = Set.copyOf(b.insecureRegistries);
    this.certs = new CertsDirectory(b.certsDirectories);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Fetches a manifest by tag or digest, with an {@code Accept} header naming every manifest type
   * hoist supports. The body is capped at {@link #MAX_MANIFEST_BYTES}.
   *
   * @param image the repository, and the tag or digest the user asked for (for messages)
   * @param reference the tag or digest to fetch
   */
  public FetchedManifest getManifest(ImageReference image, String reference) throws IOException {
    return retrying(() -> fetchManifest(image, reference));
  }

  private FetchedManifest fetchManifest(ImageReference image, String reference) throws IOException {
    AuthSession session = session(image.domain());
    URI uri = session.base().resolve("/v2/" + image.path() + "/manifests/" + reference);
    Map<String, String> headers = Map.of("Accept", String.join(", ", MediaTypes.ACCEPTED_MANIFESTS));
    HttpResponse<InputStream> response = send(session, image, uri, headers);
    if (response.statusCode() != 200) {
      throw Failures.of(session, image, "manifest", reference, response);
    }
    long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    byte[] bytes;
    try (InputStream body = response.body()) {
      if (declared > MAX_MANIFEST_BYTES) {
        throw Failures.tooLarge(image, declared);
      }
      bytes = body.readNBytes(MAX_MANIFEST_BYTES + 1);
    }
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw Failures.tooLarge(image, bytes.length);
    }
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    return new FetchedManifest(bytes, contentType, Digest.sha256(bytes));
  }

  /**
   * Lists every tag of the repository, following the registry's {@code Link: <…>; rel="next"}
   * pages (the distribution spec's pagination) and asking for {@code pageSize} tags a page.
   */
  public List<String> listTags(ImageReference image, int pageSize) throws IOException {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize < 1: " + pageSize);
    }
    return retrying(() -> fetchTags(image, pageSize));
  }

  private List<String> fetchTags(ImageReference image, int pageSize) throws IOException {
    AuthSession session = session(image.domain());
    URI next = session.base().resolve("/v2/" + image.path() + "/tags/list?n=" + pageSize);
    List<String> tags = new java.util.ArrayList<>();
    for (int page = 0; next != null; page++) {
      if (page == MAX_TAG_PAGES) {
        throw new RegistryException(
            "registry " + session.endpoint().name() + " sent more than " + MAX_TAG_PAGES
                + " pages of tags for " + image.familiarName(),
            session.endpoint().name(), 200, List.of());
      }
      HttpResponse<InputStream> response = send(session, image, next, Map.of("Accept", "application/json"));
      if (response.statusCode() != 200) {
        throw Failures.of(session, image, "tags", "list", response);
      }
      byte[] body;
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_MANIFEST_BYTES);
      }
      for (com.fasterxml.jackson.databind.JsonNode tag :
          dev.hoist.internal.json.Json.mapper().readTree(body).path("tags")) {
        tags.add(tag.asText());
      }
      if (tags.size() > MAX_TAGS) {
        throw new RegistryException("registry " + session.endpoint().name() + " lists more than "
            + MAX_TAGS + " tags for " + image.familiarName(), session.endpoint().name(), 200, List.of());
      }
      next = nextPage(next, response.headers().firstValue("Link").orElse(""));
    }
    return tags;
  }

  private static final int MAX_TAG_PAGES = 10_000;
  private static final int MAX_TAGS = 100_000;
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  private static URI nextPage(URI current, String link) {
    Matcher m = NEXT_LINK.matcher(link);
    return m.find() ? current.resolve(m.group(1)) : null;
  }

  /**
   * Asks for a manifest's descriptor without its body ({@code HEAD}): what a tag points to,
   * cheaply (Docker Hub does not count HEAD requests against its rate limit). Empty when the
   * registry does not answer 200 with a valid {@code Docker-Content-Digest}; the caller then falls
   * back to {@link #getManifest}, whose error bodies say why.
   */
  public Optional<Descriptor> headManifest(ImageReference image, String reference)
      throws IOException {
    return retrying(() -> fetchHead(image, reference));
  }

  private Optional<Descriptor> fetchHead(ImageReference image, String reference) throws IOException {
    AuthSession session = session(image.domain());
    URI uri = session.base().resolve("/v2/" + image.path() + "/manifests/" + reference);
    Map<String, String> headers = Map.of("Accept", String.join(", ", MediaTypes.ACCEPTED_MANIFESTS));
    HttpResponse<InputStream> response = send(session, image, "HEAD", uri, headers);
    response.body().close();
    if (response.statusCode() != 200) {
      return Optional.empty();
    }
    try {
      Digest digest = Digest.parse(response.headers().firstValue("Docker-Content-Digest").orElse(""));
      long size = response.headers().firstValueAsLong("Content-Length").orElse(0);
      String type = response.headers().firstValue("Content-Type").orElse("").split(";", 2)[0].trim();
      return Optional.of(Descriptor.of(type, digest, size));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The size of a blob, from a {@code HEAD} request: for schema 1 manifests, whose layers carry no
   * size.
   */
  public long blobSize(ImageReference image, Digest digest) throws IOException {
    return retrying(() -> fetchBlobSize(image, digest));
  }

  private long fetchBlobSize(ImageReference image, Digest digest) throws IOException {
    AuthSession session = session(image.domain());
    URI uri = session.base().resolve("/v2/" + image.path() + "/blobs/" + digest);
    HttpResponse<InputStream> response = send(session, image, "HEAD", uri, Map.of());
    response.body().close();
    long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (response.statusCode() != 200 || size < 0) {
      throw new RegistryException(
          "registry " + session.endpoint().name() + " did not give the size of blob " + digest
              + " of " + image.familiarName() + " (HTTP " + response.statusCode() + ")",
          session.endpoint().name(), response.statusCode(), List.of(), Failures.retryAfter(response));
    }
    return size;
  }

  /**
   * Opens a blob for download from byte {@code offset} on. When {@code offset > 0} the registry is
   * asked for a range; if it answers with the whole blob, or with a range other than the one
   * asked for, the returned stream starts at 0 and says so in {@link BlobStream#offset()}.
   */
  public BlobStream openBlob(ImageReference image, Digest digest, long offset) throws IOException {
    AuthSession session = session(image.domain());
    URI uri = session.base().resolve("/v2/" + image.path() + "/blobs/" + digest);
    Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
    HttpResponse<InputStream> response = send(session, image, uri, headers);
    int status = response.statusCode();
    long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (status == 200) {
      return new BlobStream(response.body(), 0, length);
    }
    if (status == 206 && offset > 0) {
      if (rangeStartsAt(response, offset)) {
        return new BlobStream(response.body(), offset, length);
      }
      response.body().close(); // a range we did not ask for: start over rather than splice wrongly
      return openBlob(image, digest, 0);
    }
    throw Failures.of(session, image, "blob", digest.toString(), response);
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
    URI current = url;
    for (int hops = 0; hops <= MAX_REDIRECTS; hops++) {
      HttpRequest request = transport.request(current).GET().build();
      HttpResponse<InputStream> response = transport.send(request, RegistryTls.verified(current.getHost()));
      int status = response.statusCode();
      if (status == 200) {
        return new BlobStream(response.body(), 0, response.headers().firstValueAsLong("Content-Length").orElse(-1));
      }
      response.body().close();
      if (!isRedirect(status)) {
        throw new RegistryException("fetching a layer from " + Redact.uri(current) + " failed: HTTP " + status,
            registry, status, List.of());
      }
      current = redirectTarget(registry, false, current, response);
    }
    throw new RegistryException("too many redirects fetching " + Redact.uri(url), registry, 0, List.of());
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
    AuthSession session = new AuthSession(
        RegistryEndpoint.of(registry, insecureRegistries), transport, r -> Optional.of(credential));
    return LoginCheck.verify(session, transport, credential);
  }

  /** The retry policy this client follows; blob downloads follow it too. */
  public RetryPolicy retryPolicy() {
    return retry;
  }

  private interface Request<T> {
    T run() throws IOException;
  }

  /** Runs a whole request (to its parsed body) again while the failure is worth retrying. */
  private <T> T retrying(Request<T> request) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return request.run();
      } catch (IOException e) {
        if (attempt >= retry.maxAttempts() || !retry.isRetryable(e)) {
          throw e;
        }
        sleep(retry.delay(attempt, e));
      }
    }
  }

  private static void sleep(Duration delay) throws java.io.InterruptedIOException {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting to retry");
    }
  }

  private static boolean rangeStartsAt(HttpResponse<?> response, long offset) {
    Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
    return m.matches() && Long.parseLong(m.group(1)) == offset;
  }

  private AuthSession session(String registry) {
    return sessions.computeIfAbsent(
        registry, r -> new AuthSession(RegistryEndpoint.of(r, insecureRegistries, certs), transport, credentials));
  }

  /**
   * Sends an authenticated GET, answering one fresh 401 challenge and following redirects. The
   * {@code Authorization} header goes only to the registry's own host.
   */
  private HttpResponse<InputStream> send(
      AuthSession session, ImageReference image, URI uri, Map<String, String> headers)
      throws IOException {
    return send(session, image, "GET", uri, headers);
  }

  private HttpResponse<InputStream> send(
      AuthSession session, ImageReference image, String method, URI uri, Map<String, String> headers)
      throws IOException {
    String scope = "repository:" + image.path() + ":pull";
    URI base = session.base();
    URI current = uri;
    boolean rechallenged = false;
    for (int hops = 0; hops <= MAX_REDIRECTS; ) {
      HttpRequest.Builder request =
          transport.request(current).method(method, HttpRequest.BodyPublishers.noBody());
      headers.forEach(request::header);
      if (session.endpoint().isSameHost(current, base)) {
        session.authorization(scope).ifPresent(a -> request.header("Authorization", a));
      }
      HttpResponse<InputStream> response =
          transport.send(request.build(), session.endpoint().tls());
      int status = response.statusCode();
      if (status == 401 && !rechallenged && session.endpoint().isSameHost(current, base)) {
        rechallenged = true;
        if (session.rechallenge(response, scope)) {
          response.body().close();
          continue;
        }
      }
      if (!isRedirect(status)) {
        return response;
      }
      response.body().close();
      current = redirectTarget(session.endpoint().name(), session.endpoint().insecure(), current, response);
      hops++;
    }
    throw new RegistryException(
        "too many redirects (more than " + MAX_REDIRECTS + ") fetching " + Redact.uri(uri),
        session.endpoint().name(),
        0,
        List.of());
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * Where a redirect leads. From {@code https} to {@code http} only for an insecure registry: a
   * secure one must not be downgraded by whoever can answer for it.
   */
  private static URI redirectTarget(
      String registry, boolean insecure, URI from, HttpResponse<?> response) throws RegistryException {
    String location = response.headers().firstValue("Location").orElse("");
    URI target;
    try {
      target = from.resolve(location);
    } catch (IllegalArgumentException e) {
      target = null;
    }
    if (location.isEmpty() || target == null || target.getHost() == null
        || !(target.getScheme().equals("https") || target.getScheme().equals("http"))) {
      throw new RegistryException(
          "registry " + registry + " sent an invalid redirect from " + Redact.uri(from),
          registry, response.statusCode(), List.of());
    }
    if (from.getScheme().equals("https") && target.getScheme().equals("http") && !insecure) {
      throw new RegistryException(
          "refusing redirect from https to http (" + Redact.uri(target) + ") from registry " + registry
              + ": only registries marked insecure may send hoist to plain HTTP",
          registry, response.statusCode(), List.of());
    }
    return target;
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

    private Builder() {}

    /** Where credentials come from; anonymous by default. */
    public Builder credentials(CredentialProvider credentials) {
      this.credentials = java.util.Objects.requireNonNull(credentials, "credentials == null");
      return this;
    }

    /**
     * Registries (names as in image references, {@code host[:port]}) that may be reached over
     * plain HTTP or unverified TLS. Loopback addresses always may.
     */
    public Builder insecureRegistries(Collection<String> registries) {
      this.insecureRegistries = List.copyOf(registries);
      return this;
    }

    /**
     * Where registries' CA and client certificates are looked up, in docker's {@code certs.d}
     * layout: for registry {@code host[:port]}, the directory of that name in the first of {@code
     * roots} that has one, with {@code *.crt} CA certificates (trusted in addition to the system's)
     * and {@code *.cert} client certificates with their {@code *.key}. Replaces the default, {@link
     * #DEFAULT_CERTS_DIRECTORIES}; an empty list reads none.
     */
    public Builder certsDirectories(List<Path> roots) {
      this.certsDirectories = List.copyOf(roots);
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
      this.retry = java.util.Objects.requireNonNull(retry, "retry == null");
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    public RegistryClient build() {
      return new RegistryClient(this);
    }
  }
}
