package dev.hoist.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenIssuerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static TokenIssuer issuer;

  @BeforeAll
  static void start() throws IOException {
    issuer = TokenIssuer.start().user("alice", "pw").user("reader", "pw", "pull");
    issuer.publicRepository("library/public");
  }

  @AfterAll
  static void stop() throws IOException {
    issuer.close();
  }

  @BeforeEach
  void resetSettings() {
    issuer.tokenField(TokenIssuer.TokenField.BOTH).sendExpiresIn(true);
    issuer.tokenLifetime(Duration.ofMinutes(5)).clearRequests();
  }

  @Test
  void tokenIsAnRs256JwtSignedByTheKeyOfTheX5cCertificate() throws Exception {
    String token = get("scope=repository:library/public:pull", null).path("token").asText();
    String[] parts = token.split("\\.");
    JsonNode header = decode(parts[0]);

    assertThat(parts).hasSize(3);
    assertThat(header.path("alg").asText()).isEqualTo("RS256");
    assertThat(header.path("typ").asText()).isEqualTo("JWT");
    byte[] der = Base64.getDecoder().decode(header.path("x5c").get(0).asText());
    X509Certificate cert = certificate(der);
    X509Certificate pem = certificate(Files.readAllBytes(issuer.certificatePem()));
    assertThat(cert).isEqualTo(pem);
    Signature rs256 = Signature.getInstance("SHA256withRSA");
    rs256.initVerify(cert.getPublicKey());
    rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(rs256.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
  }

  @Test
  void claimsNameTheIssuerTheServiceAsAStringAudienceAndTheLifetime() throws Exception {
    issuer.tokenLifetime(Duration.ofSeconds(90));
    JsonNode claims = claims(get("scope=repository:foo:pull", "alice:pw"));

    assertThat(claims.path("iss").asText()).isEqualTo(issuer.issuer());
    assertThat(claims.path("sub").asText()).isEqualTo("alice");
    assertThat(claims.path("aud").isTextual()).isTrue();
    assertThat(claims.path("aud").asText()).isEqualTo(issuer.service());
    assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(90);
    assertThat(claims.path("nbf").asLong()).isEqualTo(claims.path("iat").asLong());
    assertThat(claims.path("jti").asText()).isNotEmpty();
  }

  @Test
  void knownUserGetsEveryRequestedActionOnEveryScope() throws Exception {
    JsonNode response =
        get("scope=repository:foo/bar:pull,push&scope=repository:baz:pull", "alice:pw");

    assertThat(claims(response).path("access").toString())
        .isEqualTo(
            "[{\"type\":\"repository\",\"name\":\"foo/bar\",\"actions\":[\"pull\",\"push\"]},"
                + "{\"type\":\"repository\",\"name\":\"baz\",\"actions\":[\"pull\"]}]");
  }

  @Test
  void userWithActionsGetsOnlyThoseActions() throws Exception {
    JsonNode access = claims(get("scope=repository:foo:pull,push", "reader:pw")).path("access");

    assertThat(access.get(0).path("actions").toString()).isEqualTo("[\"pull\"]");
  }

  @Test
  void anonymousCallerGetsPullOnPublicRepositoriesOnly() throws Exception {
    JsonNode granted = claims(get("scope=repository:library/public:pull,push", null));
    JsonNode refused = claims(get("scope=repository:private:pull", null));

    assertThat(granted.path("access").get(0).path("actions").toString()).isEqualTo("[\"pull\"]");
    assertThat(refused.path("access")).isEmpty();
    assertThat(refused.path("sub").asText()).isEmpty();
  }

  @Test
  void wrongPasswordIsRefusedWith401() throws Exception {
    HttpResponse<String> response = send(tokenRequest("scope=repository:foo:pull", "alice:no"));

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void responseCarriesTheConfiguredTokenFieldAndExpiresIn() throws Exception {
    issuer.tokenField(TokenIssuer.TokenField.ACCESS_TOKEN).tokenLifetime(Duration.ofSeconds(42));
    JsonNode accessOnly = get("scope=repository:foo:pull", "alice:pw");
    issuer.tokenField(TokenIssuer.TokenField.TOKEN).sendExpiresIn(false);
    JsonNode tokenOnly = get("scope=repository:foo:pull", "alice:pw");

    assertThat(accessOnly.has("token")).isFalse();
    assertThat(accessOnly.path("access_token").asText()).isNotEmpty();
    assertThat(accessOnly.path("expires_in").asLong()).isEqualTo(42);
    assertThat(tokenOnly.has("access_token")).isFalse();
    assertThat(tokenOnly.has("expires_in")).isFalse();
    assertThat(tokenOnly.path("token").asText()).isNotEmpty();
  }

  @Test
  void offlineTokenRequestGetsARefreshTokenThatOAuthAccepts() throws Exception {
    String refresh =
        get("scope=repository:foo:pull&offline_token=true", "alice:pw")
            .path("refresh_token")
            .asText();

    JsonNode response =
        post(
            "grant_type=refresh_token&refresh_token="
                + refresh
                + "&service=hoist-test-registry&scope=repository:foo:push&client_id=hoist");

    assertThat(response.path("refresh_token").asText()).isEqualTo(refresh);
    assertThat(response.path("expires_in").asLong()).isEqualTo(300);
    assertThat(claims(response).path("sub").asText()).isEqualTo("alice");
    assertThat(issuer.requests().get(1).param("client_id")).contains("hoist");
  }

  @Test
  void oauthPasswordGrantReturnsAccessAndRefreshTokens() throws Exception {
    JsonNode response =
        post(
            "grant_type=password&username=alice&password=pw&scope=repository:foo:pull"
                + "&service=hoist-test-registry&client_id=hoist");

    assertThat(response.path("access_token").asText()).isNotEmpty();
    assertThat(response.path("refresh_token").asText()).isNotEmpty();
    assertThat(claims(response).path("access").get(0).path("name").asText()).isEqualTo("foo");
  }

  @Test
  void oauthAcceptsRegisteredRefreshTokensAndRefusesUnknownOnes() throws Exception {
    issuer.refreshToken("identity-token", "alice");

    JsonNode ok =
        post("grant_type=refresh_token&refresh_token=identity-token&scope=repository:a:pull");
    HttpResponse<String> refused =
        send(oauthRequest("grant_type=refresh_token&refresh_token=nope"));

    assertThat(claims(ok).path("sub").asText()).isEqualTo("alice");
    assertThat(refused.statusCode()).isEqualTo(401);
  }

  @Test
  void requestsRecordQueryAndAuthorization() throws Exception {
    get("service=hoist-test-registry&scope=repository:foo:pull&account=alice", "alice:pw");
    get("scope=repository:library/public:pull", null);

    assertThat(issuer.requests()).hasSize(2);
    RecordedRequest first = issuer.requests().get(0);
    assertThat(first.method()).isEqualTo("GET");
    assertThat(first.param("account")).contains("alice");
    assertThat(first.param("service")).contains("hoist-test-registry");
    assertThat(first.authorization()).hasValueSatisfying(a -> assertThat(a).startsWith("Basic "));
    assertThat(issuer.requests().get(1).authorization()).isEmpty();
  }

  @Test
  void failNextAnswersOnlyTheNextRequest() throws Exception {
    issuer.failNext(503, "{\"details\":\"down\"}");

    assertThat(send(tokenRequest("scope=repository:foo:pull", null)).statusCode()).isEqualTo(503);
    assertThat(send(tokenRequest("scope=repository:foo:pull", null)).statusCode()).isEqualTo(200);
  }

  private static JsonNode get(String query, String credentials) throws Exception {
    HttpResponse<String> response = send(tokenRequest(query, credentials));
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static JsonNode post(String form) throws Exception {
    HttpResponse<String> response = send(oauthRequest(form));
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpRequest tokenRequest(String query, String credentials) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(issuer.realm() + "?" + query));
    if (credentials != null) {
      String basic =
          Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
      builder.header("Authorization", "Basic " + basic);
    }
    return builder.build();
  }

  private static HttpRequest oauthRequest(String form) {
    return HttpRequest.newBuilder(issuer.realm())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form))
        .build();
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode claims(JsonNode response) throws IOException {
    String token = response.path("access_token").asText();
    return decode(token.split("\\.")[1]);
  }

  private static JsonNode decode(String part) throws IOException {
    return JSON.readTree(Base64.getUrlDecoder().decode(part));
  }

  private static X509Certificate certificate(byte[] encoded) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(encoded));
  }
}
