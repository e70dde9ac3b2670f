package dev.hoist.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An in-process token server for a {@link LocalRegistry} in {@code auth: token} mode, speaking the
 * Docker token protocol ({@code GET /token}) and its OAuth2 variant ({@code POST /token}).
 *
 * <p>Grants: a known user with the right password gets the requested actions (limited to the
 * actions given to {@link #user(String, String, String...)}); anonymous callers get {@code pull} on
 * {@linkplain #publicRepository public repositories} only; anything else gets a token with no
 * access, which the registry then refuses. Wrong credentials get 401. The built-in user {@link
 * #ADMIN_USER} may do anything; {@link LocalRegistry} pushes with it.
 *
 * <p>Thread-safe: it may be reconfigured while requests are served. Every request is {@linkplain
 * #requests() recorded}.
 */
public final class TokenIssuer implements AutoCloseable {
  public static final String SERVICE = "hoist-test-registry";
  public static final String ISSUER = "hoist-test-issuer";
  public static final String ADMIN_USER = "hoist-admin";

  /** Which field of a {@code GET /token} response carries the token. */
  public enum TokenField {
    TOKEN,
    ACCESS_TOKEN,
    BOTH
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final JwtSigner signer;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AccessPolicy policy = new AccessPolicy();
  private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
  private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final String adminPassword = UUID.randomUUID().toString();
  private volatile Duration lifetime = Duration.ofMinutes(5);
  private volatile boolean sendExpiresIn = true;
  private volatile TokenField tokenField = TokenField.BOTH;

  private record Failure(int status, String body) {}

  private TokenIssuer(Path dir) throws IOException {
    this.dir = dir;
    this.signer = JwtSigner.generate(dir, ISSUER);
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.createContext("/token", this::handle);
    server.setExecutor(executor);
    policy.user(ADMIN_USER, adminPassword, List.of());
  }

  /** Generates a key and certificate with openssl and starts serving on a free loopback port. */
  public static TokenIssuer start() throws IOException {
    Path dir = Files.createTempDirectory("hoist-token-issuer");
    try {
      TokenIssuer issuer = new TokenIssuer(dir);
      issuer.server.start();
      return issuer;
    } catch (IOException | RuntimeException e) {
      Dirs.deleteRecursively(dir);
      throw e;
    }
  }

  /** Adds a user who may do anything, or only {@code actions} (such as "pull") if given. */
  public TokenIssuer user(String name, String password, String... actions) {
    policy.user(name, password, List.of(actions));
    return this;
  }

  /** Lets anonymous callers pull {@code repository} (such as "library/busybox"). */
  public TokenIssuer publicRepository(String repository) {
    policy.publicRepository(repository);
    return this;
  }

  /**
   * Sets the {@code exp} claim (and {@code expires_in}) to now plus {@code lifetime}. Note that
   * distribution 2.8 still accepts a token for 60 s after {@code exp} (its clock-skew leeway).
   */
  public TokenIssuer tokenLifetime(Duration lifetime) {
    this.lifetime = lifetime;
    return this;
  }

  /** Whether responses carry {@code expires_in}; without it clients assume 60 seconds. */
  public TokenIssuer sendExpiresIn(boolean send) {
    this.sendExpiresIn = send;
    return this;
  }

  /** Which field {@code GET /token} answers with; {@code POST} always uses access_token. */
  public TokenIssuer tokenField(TokenField field) {
    this.tokenField = field;
    return this;
  }

  /** Accepts {@code token} as an OAuth2 refresh token standing for {@code user}. */
  public TokenIssuer refreshToken(String token, String user) {
    refreshTokens.put(token, user);
    return this;
  }

  /** Answers the next request, whatever it is, with {@code status} and {@code body}. */
  public TokenIssuer failNext(int status, String body) {
    failures.add(new Failure(status, body));
    return this;
  }

  /** The password of {@link #ADMIN_USER}. */
  public String adminPassword() {
    return adminPassword;
  }

  /** The URL to put in the registry's {@code realm}: {@code http://127.0.0.1:PORT/token}. */
  public URI realm() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
  }

  /**
   * The service name, used as the {@code aud} claim: a single string, since distribution 2.8
   * rejects a JSON array there as a "malformed token".
   */
  public String service() {
    return SERVICE;
  }

  /** The {@code iss} claim. */
  public String issuer() {
    return ISSUER;
  }

  /** The PEM certificate whose key signs the tokens, for the registry's rootcertbundle. */
  public Path certificatePem() {
    return dir.resolve("cert.pem");
  }

  /** Every request received so far, oldest first. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the recorded requests, for example those of a setup push. */
  public void clearRequests() {
    requests.clear();
  }

  @Override
  public void close() throws IOException {
    server.stop(0);
    executor.shutdownNow();
    Dirs.deleteRecursively(dir);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      boolean form = exchange.getRequestMethod().equals("POST");
      RecordedRequest request = RecordedRequest.of(exchange, form ? body : null);
      requests.add(request);
      Failure failure = failures.poll();
      if (failure != null) {
        respond(exchange, failure.status(), failure.body());
      } else if (form) {
        handleOAuth(exchange, request);
      } else if (exchange.getRequestMethod().equals("GET")) {
        handleGet(exchange, request);
      } else {
        respond(exchange, 405, "{\"error\":\"method not allowed\"}");
      }
    }
  }

  private void handleGet(HttpExchange exchange, RecordedRequest request) throws IOException {
    Optional<String[]> basic = basicCredentials(request);
    if (basic.isPresent() && !policy.authenticates(basic.get()[0], basic.get()[1])) {
      respond(exchange, 401, "{\"details\":\"incorrect username or password\"}");
      return;
    }
    String user = basic.map(b -> b[0]).orElse(null);
    Map<String, Object> response = issue(user, request.params("scope"));
    String token = (String) response.remove("access_token");
    if (tokenField != TokenField.ACCESS_TOKEN) {
      response.put("token", token);
    }
    if (tokenField != TokenField.TOKEN) {
      response.put("access_token", token);
    }
    if (user != null && request.param("offline_token").orElse("").equals("true")) {
      response.put("refresh_token", newRefreshToken(user));
    }
    respond(exchange, 200, JSON.writeValueAsString(response));
  }

  private void handleOAuth(HttpExchange exchange, RecordedRequest request) throws IOException {
    String grantType = request.param("grant_type").orElse("");
    String user;
    String refreshToken;
    if (grantType.equals("password")) {
      user = request.param("username").orElse("");
      if (!policy.authenticates(user, request.param("password").orElse(""))) {
        respond(exchange, 401, "{\"error\":\"invalid_grant\"}");
        return;
      }
      refreshToken = newRefreshToken(user);
    } else if (grantType.equals("refresh_token")) {
      refreshToken = request.param("refresh_token").orElse("");
      user = refreshTokens.get(refreshToken);
      if (user == null) {
        respond(exchange, 401, "{\"error\":\"invalid_grant\"}");
        return;
      }
    } else {
      respond(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
      return;
    }
    Map<String, Object> response = issue(user, request.params("scope"));
    response.put("refresh_token", refreshToken);
    respond(exchange, 200, JSON.writeValueAsString(response));
  }

  /** Signs a token for {@code user} (null: anonymous); answers with access_token and extras. */
  private Map<String, Object> issue(String user, List<String> scopes) {
    Instant now = Instant.now();
    Duration life = lifetime;
    List<Map<String, Object>> access = new ArrayList<>();
    List<String> granted = new ArrayList<>();
    for (AccessPolicy.Grant grant : policy.access(user, scopes)) {
      access.add(grant.claim());
      granted.add(grant.scope());
    }
    Map<String, Object> claims =
        ordered(
            "iss",
            ISSUER,
            "sub",
            user == null ? "" : user,
            "aud",
            SERVICE,
            "exp",
            now.plus(life).getEpochSecond(),
            "nbf",
            now.getEpochSecond(),
            "iat",
            now.getEpochSecond(),
            "jti",
            UUID.randomUUID().toString(),
            "access",
            access);
    Map<String, Object> response = ordered("access_token", signer.sign(claims));
    if (sendExpiresIn) {
      response.put("expires_in", life.toSeconds());
    }
    response.put("issued_at", now.toString());
    response.put("scope", String.join(" ", granted));
    return response;
  }

  private String newRefreshToken(String user) {
    String token = "refresh-" + UUID.randomUUID();
    refreshTokens.put(token, user);
    return token;
  }

  private static Optional<String[]> basicCredentials(RecordedRequest request) {
    return request
        .authorization()
        .filter(a -> a.regionMatches(true, 0, "Basic ", 0, 6))
        .map(
            a ->
                new String(
                    Base64.getDecoder().decode(a.substring(6).trim()), StandardCharsets.UTF_8))
        .map(s -> s.split(":", 2))
        .map(p -> p.length == 2 ? p : new String[] {p[0], ""});
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
