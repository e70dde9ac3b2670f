package dev.hoist.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What hoist knows about one endpoint (a registry or a mirror): its API root and how it wants to be
 * authenticated. The handshake, done once per endpoint and repeated only when it asks:
 *
 * <ol>
 *   <li>{@code GET <root>/} ({@code /v2/}) with the root's scheme: HTTPS, then plain HTTP only for
 *       an insecure endpoint whose TLS handshake failed; or, for an {@code http} root (loopback
 *       hosts, {@code http://} mirrors), plain HTTP, then HTTPS if insecure and refused.
 *   <li>200: no authentication. 401 with a {@code Basic} challenge: send the configured
 *       username and password with every request. 401 with a {@code Bearer} challenge: exchange
 *       the credentials (or nothing, anonymously) at the challenge's realm for a token per scope,
 *       cache it until it expires, and fetch it once however many threads ask.
 *   <li>A 401 on a later request carries a fresh challenge: the token for that scope is dropped
 *       and fetched again, once.
 * </ol>
 *
 * Credentials are sent to the registry's own host and to its token realm, never elsewhere, and
 * never over plain HTTP unless the registry itself is insecure. Thread-safe.
 */
final class AuthSession {
  private static final Logger log = LoggerFactory.getLogger(AuthSession.class);
  static final int TOKEN_BODY_LIMIT = 64 * 1024;
  private static final long MIN_TOKEN_SECONDS = 60;

  private final RegistryEndpoint endpoint;
  private final Transport transport;
  private final CredentialProvider credentials;
  private final ConcurrentHashMap<String, Token> tokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Object> tokenLocks = new ConcurrentHashMap<>();
  private volatile URI base;
  private volatile List<Challenge> challenges = List.of();
  private volatile Optional<Credential> credential;
  private volatile String credentialError;

  /** A bearer token, and the refresh token that came with it if the server sent one. */
  record Token(String value, Instant expires, String refreshToken) {}

  AuthSession(RegistryEndpoint endpoint, Transport transport, CredentialProvider credentials) {
    this.endpoint = endpoint;
    this.transport = transport;
    this.credentials = credentials;
  }

  RegistryEndpoint endpoint() {
    return endpoint;
  }

  /** The API root ({@code https://host/v2}), scheme settled; pings the endpoint on first use. */
  URI base() throws IOException {
    URI b = base;
    if (b == null) {
      synchronized (this) {
        if (base == null) {
          ping();
        }
        b = base;
      }
    }
    return b;
  }

  private void ping() throws IOException {
    HttpResponse<InputStream> response =
        "http".equals(endpoint.endpoint().root().getScheme()) ? pingPlainFirst() : pingTlsFirst();
    try (InputStream body = response.body()) {
      body.readNBytes(ErrorBodies.LIMIT);
    }
    if (response.statusCode() == 401) {
      challenges = Challenge.parse(String.join(", ", response.headers().allValues("WWW-Authenticate")));
    }
  }

  /**
   * Docker's order: HTTPS, then plain HTTP only for an insecure registry whose TLS handshake
   * failed. A secure registry's TLS failure says, in docker's words, what to do about it.
   */
  private HttpResponse<InputStream> pingTlsFirst() throws IOException {
    URI https = endpoint.root("https");
    try {
      HttpResponse<InputStream> response = sendPing(https);
      base = https;
      return response;
    } catch (RegistryException e) {
      if (!endpoint.insecure() || !TlsFailures.isTls(e)) {
        throw e;
      }
      log.debug("{} is insecure and TLS failed ({}); using plain HTTP", endpoint.name(), e.getMessage());
      URI http = endpoint.root("http");
      HttpResponse<InputStream> response = sendPing(http);
      base = http;
      return response;
    }
  }

  /**
   * containerd's order for loopback registries, which are nearly always plain HTTP, and for
   * {@code http://} mirrors: HTTP first (no TLS set-up to pay for), then, if the endpoint is
   * insecure, unverified HTTPS if the port speaks TLS (a Go server answers plain HTTP on a TLS port
   * with 400).
   */
  private HttpResponse<InputStream> pingPlainFirst() throws IOException {
    URI http = endpoint.root("http");
    HttpResponse<InputStream> response;
    try {
      response = sendPing(http);
      if (response.statusCode() != 400 || !endpoint.insecure()) {
        base = http;
        return response;
      }
      response.body().close();
    } catch (UnreachableRegistryException e) {
      throw e;
    } catch (IOException e) {
      if (!endpoint.insecure()) {
        throw e;
      }
      log.debug("{} did not answer plain HTTP ({}); trying HTTPS", endpoint.name(), e.getMessage());
    }
    URI https = endpoint.root("https");
    response = sendPing(https);
    base = https;
    return response;
  }

  private HttpResponse<InputStream> sendPing(URI root) throws IOException {
    return getApiRoot(root, Optional.empty());
  }

  /**
   * {@code GET <root>/}, with the headers configured for the endpoint and {@code authorization},
   * if any.
   */
  HttpResponse<InputStream> getApiRoot(URI root, Optional<String> authorization) throws IOException {
    HttpRequest.Builder request = endpoint.withHeaders(transport.request(URI.create(root + "/")).GET());
    authorization.ifPresent(a -> request.header("Authorization", a));
    return transport.send(request.build(), endpoint.tls());
  }

  /** The challenges of the registry's answer to the ping; empty when it wants no authentication. */
  List<Challenge> challenges() throws IOException {
    base();
    return challenges;
  }

  /** The {@code Authorization} header value for a request in {@code scope}, if one is needed. */
  Optional<String> authorization(String scope) throws IOException {
    List<Challenge> current = challenges;
    for (Challenge c : current) {
      if (c.isBearer()) {
        return Optional.of("Bearer " + token(c, scope));
      }
    }
    for (Challenge c : current) {
      if (c.isBasic()) {
        return credential().filter(cred -> !cred.isIdentityToken()).map(AuthSession::basic);
      }
    }
    return Optional.empty();
  }

  /**
   * Takes in the challenge of a 401 answer to an authenticated request: the cached token for the
   * scope is dropped. Returns false when asking again cannot help (no challenge, or basic auth).
   */
  boolean rechallenge(HttpResponse<?> response, String scope) {
    List<Challenge> fresh =
        Challenge.parse(String.join(", ", response.headers().allValues("WWW-Authenticate")));
    if (fresh.isEmpty()) {
      return false;
    }
    boolean hadChallenge = !challenges.isEmpty();
    challenges = fresh;
    tokens.remove(scope);
    return fresh.stream().anyMatch(Challenge::isBearer) || !hadChallenge;
  }

  /** Whether credentials are configured for this registry. */
  boolean hasCredential() throws IOException {
    return credential().isPresent();
  }

  /** Why looking up credentials failed, if it did (the pull then went on anonymously). */
  Optional<String> credentialError() {
    return Optional.ofNullable(credentialError);
  }

  private Optional<Credential> credential() {
    Optional<Credential> c = credential;
    if (c == null) {
      try {
        c = credentials.lookup(endpoint.name());
      } catch (IOException e) {
        // A broken credential helper must not break pulls of public images (a common docker pain).
        log.warn("cannot get credentials for {}: {}; trying anonymously", endpoint.name(), e.getMessage());
        credentialError = e.getMessage();
        c = Optional.empty();
      }
      credential = c;
    }
    return c;
  }

  private String token(Challenge challenge, String scope) throws IOException {
    Token t = tokens.get(scope);
    if (t != null && t.expires().isAfter(Instant.now())) {
      return t.value();
    }
    synchronized (tokenLocks.computeIfAbsent(scope, k -> new Object())) {
      t = tokens.get(scope);
      if (t == null || !t.expires().isAfter(Instant.now())) {
        t = fetchToken(challenge, scope);
        tokens.put(scope, t);
      }
      return t.value();
    }
  }

  private Token fetchToken(Challenge challenge, String scope) throws IOException {
    URI realmUri = realm(challenge);
    boolean mayAuthenticate = realmIsSecure(realmUri) && realmIsOnSite(realmUri);
    if (!mayAuthenticate && credential().isPresent()) {
      log.warn("not sending the credentials for {} to the token realm {}: another site",
          endpoint.name(), realmUri.getHost());
    }
    Optional<Credential> cred = mayAuthenticate ? credential() : Optional.empty();
    String service = challenge.param("service");
    HttpRequest request = TokenRequests.forPull(transport, realmUri, service, scope, cred);
    HttpResponse<InputStream> response = transport.send(request, endpoint.tls());
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readNBytes(TOKEN_BODY_LIMIT);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new UnauthorizedException(
          "the token server " + realmUri.getHost() + " of " + endpoint.name()
              + (cred.isPresent() ? " rejected the credentials" : " refused anonymous access")
              + " (HTTP " + response.statusCode() + ")",
          endpoint.name(),
          response.statusCode(),
          ErrorBodies.parse(body));
    }
    if (response.statusCode() != 200) {
      throw new RegistryException(
          "the token server " + realmUri.getHost() + " of " + endpoint.name() + " answered HTTP "
              + response.statusCode(),
          endpoint.name(),
          response.statusCode(),
          ErrorBodies.parse(body));
    }
    return parseToken(body);
  }

  /** The challenge's token realm, an http or https URL. */
  URI realm(Challenge challenge) throws RegistryException {
    String realm = challenge.param("realm");
    if (realm.isEmpty()) {
      throw new RegistryException(
          "no realm specified for token auth challenge from " + endpoint.name(), endpoint.name(), 401, List.of());
    }
    URI realmUri;
    try {
      realmUri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      throw new RegistryException("invalid token realm " + realm, endpoint.name(), 401, List.of());
    }
    if (!"https".equals(realmUri.getScheme()) && !"http".equals(realmUri.getScheme())) {
      throw new RegistryException("invalid token realm " + realm, endpoint.name(), 401, List.of());
    }
    return realmUri;
  }

  /**
   * Whether the realm's scheme may carry credentials: https always, plain http only for a registry
   * that is insecure anyway.
   */
  boolean realmIsSecure(URI realm) {
    return "https".equals(realm.getScheme()) || endpoint.insecure()
        || "http".equals(endpoint.endpoint().root().getScheme()); // credentials go in clear anyway
  }

  /**
   * Whether {@code realm} is on the registry's own site ({@link RealmHosts}): a hostile registry
   * must not be able to send the user's password for it to a server of its choosing.
   */
  boolean realmIsOnSite(URI realm) {
    return RealmHosts.sameSite(endpoint.host(), realm.getHost());
  }

  /** Reads a token server's answer: {@code token} or {@code access_token}, and {@code refresh_token}. */
  Token parseToken(byte[] body) throws IOException {
    JsonNode json;
    try {
      json = Json.mapper().readTree(body);
    } catch (IOException e) {
      throw new RegistryException(
          "the token server of " + endpoint.name() + " sent a response that is not JSON", endpoint.name(), e);
    }
    String value = json == null ? "" : json.path("token").asText("");
    if (value.isEmpty() && json != null) {
      value = json.path("access_token").asText("");
    }
    if (value.isEmpty()) {
      throw new RegistryException(
          "the token server of " + endpoint.name() + " sent no token", endpoint.name(), 200, List.of());
    }
    long seconds = Math.max(MIN_TOKEN_SECONDS, json.path("expires_in").asLong(MIN_TOKEN_SECONDS));
    // Renew a little early so a token never expires between our check and the registry's.
    return new Token(
        value, Instant.now().plusSeconds(seconds - 10), json.path("refresh_token").asText(""));
  }

  static String basic(Credential c) {
    String pair = c.username() + ":" + c.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }
}
