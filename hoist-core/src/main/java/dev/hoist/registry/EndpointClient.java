package dev.hoist.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.MediaTypes;
import dev.hoist.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distribution-API requests to one endpoint ({@link Target}): manifests, tags and blobs, each
 * authenticated by the endpoint's session, with redirects followed by hand so the {@code
 * Authorization} header never reaches another host. Error responses become {@link
 * RegistryException}s (see {@link Failures}). Thread-safe.
 */
final class EndpointClient {
  private static final int MAX_REDIRECTS = 10;
  private static final int MAX_TAG_PAGES = 10_000;
  private static final int MAX_TAGS = 100_000;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  private static final Map<String, String> ACCEPT_MANIFESTS =
      Map.of("Accept", String.join(", ", MediaTypes.ACCEPTED_MANIFESTS));

  private final Transport transport;

  EndpointClient(Transport transport) {
    this.transport = transport;
  }

  FetchedManifest manifest(Target t, String reference) throws IOException {
    HttpResponse<InputStream> response = send(t, "GET", t.uri("/manifests/" + reference), ACCEPT_MANIFESTS);
    if (response.statusCode() != 200) {
      throw Failures.of(t.session(), t.image(), "manifest", reference, response);
    }
    long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    byte[] bytes;
    try (InputStream body = response.body()) {
      if (declared > RegistryClient.MAX_MANIFEST_BYTES) {
        throw Failures.tooLarge(t.image(), declared);
      }
      bytes = body.readNBytes(RegistryClient.MAX_MANIFEST_BYTES + 1);
    }
    if (bytes.length > RegistryClient.MAX_MANIFEST_BYTES) {
      throw Failures.tooLarge(t.image(), bytes.length);
    }
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    return new FetchedManifest(bytes, contentType, Digest.sha256(bytes));
  }

  /**
   * A manifest's descriptor from a {@code HEAD}. On the last endpoint, anything but a 200 with a
   * valid digest is empty (the caller then GETs the manifest, whose error says why); on an earlier
   * one (a mirror), an error status fails so the next endpoint is asked.
   */
  Optional<Descriptor> head(Target t, String reference) throws IOException {
    HttpResponse<InputStream> response = send(t, "HEAD", t.uri("/manifests/" + reference), ACCEPT_MANIFESTS);
    if (response.statusCode() != 200) {
      if (!t.last()) {
        throw Failures.of(t.session(), t.image(), "manifest", reference, response);
      }
      response.body().close();
      return Optional.empty();
    }
    response.body().close();
    try {
      Digest digest = Digest.parse(response.headers().firstValue("Docker-Content-Digest").orElse(""));
      long size = response.headers().firstValueAsLong("Content-Length").orElse(0);
      String type = response.headers().firstValue("Content-Type").orElse("").split(";", 2)[0].trim();
      return Optional.of(Descriptor.of(type, digest, size));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Every tag, following {@code Link: <…>; rel="next"} pages. */
  List<String> tags(Target t, int pageSize) throws IOException {
    String registry = t.session().endpoint().name();
    URI next = t.uri("/tags/list?n=" + pageSize);
    List<String> tags = new ArrayList<>();
    for (int page = 0; next != null; page++) {
      if (page == MAX_TAG_PAGES) {
        throw new RegistryException("registry " + registry + " sent more than " + MAX_TAG_PAGES
            + " pages of tags for " + t.image().familiarName(), registry, 200, List.of());
      }
      HttpResponse<InputStream> response = send(t, "GET", next, Map.of("Accept", "application/json"));
      if (response.statusCode() != 200) {
        throw Failures.of(t.session(), t.image(), "tags", "list", response);
      }
      byte[] body;
      try (InputStream in = response.body()) {
        body = in.readNBytes(RegistryClient.MAX_MANIFEST_BYTES);
      }
      for (JsonNode tag : Json.mapper().readTree(body).path("tags")) {
        tags.add(tag.asText());
      }
      if (tags.size() > MAX_TAGS) {
        throw new RegistryException("registry " + registry + " lists more than " + MAX_TAGS
            + " tags for " + t.image().familiarName(), registry, 200, List.of());
      }
      Matcher m = NEXT_LINK.matcher(response.headers().firstValue("Link").orElse(""));
      next = m.find() ? t.withNamespace(next.resolve(m.group(1))) : null;
    }
    return tags;
  }

  long blobSize(Target t, Digest digest) throws IOException {
    HttpResponse<InputStream> response = send(t, "HEAD", t.uri("/blobs/" + digest), Map.of());
    response.body().close();
    long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (response.statusCode() != 200 || size < 0) {
      String registry = t.session().endpoint().name();
      throw new RegistryException(
          "registry " + registry + " did not give the size of blob " + digest + " of "
              + t.image().familiarName() + " (HTTP " + response.statusCode() + ")",
          registry, response.statusCode(), List.of(), Failures.retryAfter(response));
    }
    return size;
  }

  /** A blob from {@code offset} on; see {@link RegistryClient#openBlob}. */
  BlobStream blob(Target t, Digest digest, long offset) throws IOException {
    Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
    HttpResponse<InputStream> response = send(t, "GET", t.uri("/blobs/" + digest), headers);
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
      return blob(t, digest, 0);
    }
    throw Failures.of(t.session(), t.image(), "blob", digest.toString(), response);
  }

  /** A plain GET of a foreign layer's URL, with no credentials; see {@link RegistryClient#openUrl}. */
  BlobStream url(String registry, URI url) throws IOException {
    URI current = url;
    for (int hops = 0; hops <= MAX_REDIRECTS; hops++) {
      HttpRequest request = transport.request(current).GET().build();
      HttpResponse<InputStream> response = transport.send(request, RegistryTls.verified(current.getHost()));
      int status = response.statusCode();
      if (status == 200) {
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        return new BlobStream(response.body(), 0, length);
      }
      response.body().close();
      if (!isRedirect(status)) {
        throw new RegistryException(
            "fetching a layer from " + Redact.uri(current) + " failed: HTTP " + status,
            registry, status, List.of());
      }
      current = redirectTarget(registry, false, current, response);
    }
    throw new RegistryException("too many redirects fetching " + Redact.uri(url), registry, 0, List.of());
  }

  private static boolean rangeStartsAt(HttpResponse<?> response, long offset) {
    Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
    return m.matches() && Long.parseLong(m.group(1)) == offset;
  }

  /**
   * Sends an authenticated request, answering one fresh 401 challenge and following redirects. The
   * {@code Authorization} header and the endpoint's configured headers go only to the endpoint's
   * own host.
   */
  private HttpResponse<InputStream> send(Target t, String method, URI uri, Map<String, String> headers)
      throws IOException {
    AuthSession session = t.session();
    RegistryEndpoint endpoint = session.endpoint();
    URI base = session.base();
    URI current = uri;
    boolean rechallenged = false;
    for (int hops = 0; hops <= MAX_REDIRECTS; ) {
      HttpRequest.Builder request =
          transport.request(current).method(method, HttpRequest.BodyPublishers.noBody());
      headers.forEach(request::header);
      if (endpoint.isSameHost(current, base)) {
        endpoint.withHeaders(request);
        session.authorization(t.scope()).ifPresent(a -> request.header("Authorization", a));
      }
      HttpResponse<InputStream> response =
          transport.send(request.build(), endpoint.tls());
      int status = response.statusCode();
      if (status == 401 && !rechallenged && endpoint.isSameHost(current, base)) {
        rechallenged = true;
        if (session.rechallenge(response, t.scope())) {
          response.body().close();
          continue;
        }
      }
      if (!isRedirect(status)) {
        return response;
      }
      response.body().close();
      current = redirectTarget(endpoint.name(), endpoint.insecure(), current, response);
      hops++;
    }
    throw new RegistryException(
        "too many redirects (more than " + MAX_REDIRECTS + ") fetching " + Redact.uri(uri),
        endpoint.name(), 0, List.of());
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
}
