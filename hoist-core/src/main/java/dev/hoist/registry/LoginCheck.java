package dev.hoist.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.auth.Credential;
import dev.hoist.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a credential against a registry as {@code docker login} does (moby's {@code loginV2}):
 *
 * <ol>
 *   <li>ping {@code GET /v2/} (through {@link AuthSession}, so loopback and insecure registries
 *       are reached as pulls reach them);
 *   <li>a {@code Bearer} challenge: ask the realm for a token with the credential and no scope,
 *       {@code account=USER}, {@code client_id=docker} and {@code offline_token=true}, as docker
 *       does (a refresh token instead of a password is sent as an OAuth2 {@code POST}); a {@code
 *       Basic} challenge: send the credential as HTTP Basic;
 *   <li>{@code GET /v2/} with that authorization must answer 200.
 * </ol>
 *
 * Requests to the registry carry the headers configured for it, as a pull's do; token requests
 * are built as a pull's are ({@link TokenRequests}).
 *
 * <p>A refresh token the token server hands out in exchange (asked for by {@code offline_token}) is
 * what docker then stores instead of the password. Unlike docker, the password is never sent to
 * a realm on another site or over plain HTTP to a secure registry: that login fails instead.
 * Failures are worded as docker words them.
 */
final class LoginCheck {
  private static final Logger log = LoggerFactory.getLogger(LoginCheck.class);

  private static final Map<Integer, String> REASONS = Map.ofEntries(
      Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
      Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
      Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"),
      Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"),
      Map.entry(504, "Gateway Timeout"));

  private LoginCheck() {}

  /**
   * @return the credential to keep: {@code credential}, or the identity token issued for it
   * @throws UnauthorizedException if the registry or its token server refused the credential
   */
  static Credential verify(AuthSession session, Transport transport, Credential credential)
      throws IOException {
    String registry = session.endpoint().name();
    URI v2 = URI.create(session.base() + "/");
    log.debug("attempting login to {} as {}", v2, credential.username());
    List<Challenge> challenges = session.challenges();
    Optional<Challenge> bearer = challenges.stream().filter(Challenge::isBearer).findFirst();
    Credential keep = credential;
    String authorization = null;
    if (bearer.isPresent()) {
      AuthSession.Token token = fetchToken(session, transport, bearer.get(), credential, v2);
      authorization = "Bearer " + token.value();
      if (!token.refreshToken().isEmpty()) {
        keep = Credential.identityToken(credential.username(), token.refreshToken());
      }
    } else if (challenges.stream().anyMatch(Challenge::isBasic) && !credential.isIdentityToken()) {
      authorization = AuthSession.basic(credential);
    }
    HttpResponse<InputStream> response =
        session.getApiRoot(session.base(), Optional.ofNullable(authorization));
    try (InputStream body = response.body()) {
      body.readNBytes(ErrorBodies.LIMIT);
    }
    int status = response.statusCode();
    if (status != 200) {
      String message = "login attempt to " + v2 + " failed with status: " + status + reason(status);
      throw status == 401 || status == 403
          ? new UnauthorizedException(message, registry, status, List.of())
          : new RegistryException(message, registry, status, List.of());
    }
    log.debug("login to {} succeeded{}", registry, keep == credential ? "" : "; got an identity token");
    return keep;
  }

  private static AuthSession.Token fetchToken(
      AuthSession session, Transport transport, Challenge challenge, Credential credential, URI v2)
      throws IOException {
    String registry = session.endpoint().name();
    URI realm = session.realm(challenge);
    if (!session.realmIsOnSite(realm)) {
      throw new RegistryException("not sending the credentials for " + registry
          + " to its token realm " + realm.getHost() + ": the realm is not on the registry's site",
          registry, 401, List.of());
    }
    if (!session.realmIsSecure(realm)) {
      throw new RegistryException("not sending the credentials for " + registry
          + " to its token realm " + realm.getHost() + " over plain HTTP: the registry is not"
          + " insecure (see --insecure-registry)", registry, 401, List.of());
    }
    String service = challenge.param("service");
    HttpRequest request = TokenRequests.forLogin(transport, realm, service, credential);
    HttpResponse<InputStream> response = transport.send(request, session.endpoint().tls());
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readNBytes(AuthSession.TOKEN_BODY_LIMIT);
    }
    int status = response.statusCode();
    if (status != 200) {
      // As Go's http.Client reports the failure of the request the token was for.
      String message = "Get \"" + v2 + "\": " + tokenError(status, response, body);
      throw status == 401 || status == 403
          ? new UnauthorizedException(message, registry, status, ErrorBodies.parse(body))
          : new RegistryException(message, registry, status, ErrorBodies.parse(body));
    }
    return session.parseToken(body);
  }

  /**
   * A token server's refusal in docker's words (distribution's {@code HandleErrorResponse}): an
   * OAuth error in the {@code WWW-Authenticate} header, else a {@code {"details":…}} body, else
   * the registry error codes of the body, else the status.
   */
  static String tokenError(int status, HttpResponse<?> response, byte[] body) {
    if (status < 400 || status >= 500) {
      return "received unexpected HTTP status: " + status + reason(status);
    }
    String header = String.join(", ", response.headers().allValues("WWW-Authenticate"));
    for (Challenge c : Challenge.parse(header)) {
      String code = switch (c.param("error")) {
        case "invalid_token" -> "unauthorized";
        case "insufficient_scope" -> "denied";
        default -> "";
      };
      if (c.isBearer() && !code.isEmpty()) {
        String description = c.param("error_description");
        return code + ": " + (description.isEmpty() ? defaultMessage(code) : description);
      }
    }
    String details = details(body);
    if (!details.isEmpty()) {
      String code = status == 401 ? "unauthorized" : status == 429 ? "toomanyrequests" : "unknown";
      return code + ": " + details;
    }
    List<RegistryError> errors = ErrorBodies.parse(body);
    if (!errors.isEmpty()) {
      return errors.stream().map(RegistryError::toString).collect(Collectors.joining(", "));
    }
    if (status == 401) {
      return "unauthorized: " + defaultMessage("unauthorized");
    }
    return "error parsing HTTP " + status + " response body: no error details found in HTTP response body";
  }

  /** The older {@code {"details":"…"}} error body (Docker Hub's token server still sends it). */
  private static String details(byte[] body) {
    try {
      JsonNode json = Json.mapper().readTree(body);
      return json == null ? "" : json.path("details").asText("");
    } catch (IOException e) {
      return "";
    }
  }

  private static String defaultMessage(String code) {
    return code.equals("denied") ? "requested access to the resource is denied" : "authentication required";
  }

  private static String reason(int status) {
    String reason = REASONS.get(status);
    return reason == null ? "" : " " + reason;
  }
}
