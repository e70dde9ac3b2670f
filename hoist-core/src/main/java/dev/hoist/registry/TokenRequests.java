package dev.hoist.registry;

import dev.hoist.auth.Credential;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Requests to a token realm as distribution's token server reads them (docker's {@code
 * tokenHandler}): an OAuth2 {@code POST} for a credential that is an identity token, else a {@code
 * GET} with the credential, if any, as HTTP Basic. Pulls ask as {@code hoist} for a scope; a login
 * asks as {@code docker} for no scope but for a refresh token ("offline"), which docker keeps
 * instead of the password.
 */
final class TokenRequests {
  private static final String PULL_CLIENT_ID = "hoist";
  private static final String LOGIN_CLIENT_ID = "docker";

  private TokenRequests() {}

  /** A token for {@code scope}, anonymous when {@code credential} is empty. */
  static HttpRequest forPull(
      Transport transport, URI realm, String service, String scope, Optional<Credential> credential) {
    return build(transport, realm, service, scope, credential, PULL_CLIENT_ID, false);
  }

  /** docker login's request: no scope, and a refresh token asked for. */
  static HttpRequest forLogin(Transport transport, URI realm, String service, Credential credential) {
    return build(transport, realm, service, "", Optional.of(credential), LOGIN_CLIENT_ID, true);
  }

  private static HttpRequest build(Transport transport, URI realm, String service, String scope,
      Optional<Credential> credential, String clientId, boolean offline) {
    if (credential.isPresent() && credential.get().isIdentityToken()) {
      StringBuilder form = new StringBuilder();
      appendParam(form, "grant_type", "refresh_token");
      appendParam(form, "refresh_token", credential.get().identityToken());
      appendParam(form, "service", service);
      appendParam(form, "scope", scope);
      appendParam(form, "client_id", clientId);
      appendParam(form, "access_type", offline ? "offline" : "");
      return transport
          .request(realm)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
          .build();
    }
    StringBuilder query = new StringBuilder(realm.getRawQuery() == null ? "" : realm.getRawQuery());
    appendParam(query, "service", service);
    appendParam(query, "scope", scope);
    if (offline) {
      appendParam(query, "offline_token", "true");
      appendParam(query, "client_id", clientId);
    }
    credential.ifPresent(c -> appendParam(query, "account", c.username()));
    HttpRequest.Builder request = transport.request(withQuery(realm, query)).GET();
    credential.ifPresent(c -> request.header("Authorization", AuthSession.basic(c)));
    return request.build();
  }

  /** {@code realm} with its query replaced by {@code query}. */
  private static URI withQuery(URI realm, CharSequence query) {
    String base = realm.toString();
    int q = base.indexOf('?');
    return URI.create((q < 0 ? base : base.substring(0, q)) + "?" + query);
  }

  /** Appends {@code name=value}, form-encoded; an empty value is left out. */
  private static void appendParam(StringBuilder query, String name, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    if (query.length() > 0) {
      query.append('&');
    }
    query
        .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
        .append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }
}
