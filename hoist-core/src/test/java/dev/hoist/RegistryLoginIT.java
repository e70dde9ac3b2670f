package dev.hoist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialStore;
import dev.hoist.registry.RegistryException;
import dev.hoist.registry.UnauthorizedException;
import dev.hoist.testing.FakeCredentialHelper;
import dev.hoist.testing.FaultRegistry;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.RecordedRequest;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.TokenIssuer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@link RegistryLogin} against real registries: htpasswd basic auth and token auth. */
class RegistryLoginIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OTHER_KEYS =
      "{\"auths\":{\"ghcr.io\":{\"auth\":\"Ym9iOnB3\",\"email\":\"b@example.com\"}},"
          + "\"psFormat\":\"table {{.ID}}\",\"somethingNew\":{\"x\":[1,2]}}";

  @TempDir static Path fixtures;
  static OciLayoutImage image;

  @TempDir Path dockerConfig;
  @TempDir Path store;
  @TempDir Path hostsDir;

  @BeforeAll
  static void buildImage() throws IOException {
    image = TestImages.multiLayer(fixtures);
  }

  private Path configFile() {
    return dockerConfig.resolve("config.json");
  }

  private RegistryLogin login() throws IOException {
    return RegistryLogin.builder().credentialStore(CredentialStore.of(configFile())).build();
  }

  private void pull(String ref) throws IOException {
    try (Hoist hoist =
        Hoist.builder().store(store).credentials(CredentialStore.of(configFile())).build()) {
      assertThat(hoist.pull(ref).digest()).hasToString(image.manifestDigest());
    }
  }

  private JsonNode config() throws IOException {
    return JSON.readTree(configFile().toFile());
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class BasicAuth {
    LocalRegistry registry;
    String ref;

    @BeforeAll
    void start() throws IOException {
      registry = LocalRegistry.withBasicAuth("alice", "s3cret");
      registry.push(image, "private/app", "v1");
      ref = registry.host() + "/private/app:v1";
    }

    @AfterAll
    void stop() throws IOException {
      registry.close();
    }

    @Test
    void goodCredentialsAreStoredPrivatelyBesideTheOtherKeysAndServeTheNextPull() throws IOException {
      Files.writeString(configFile(), OTHER_KEYS);

      RegistryLogin.Result result = login().login(registry.host(), Credential.basic("alice", "s3cret"));

      assertThat(result).isEqualTo(new RegistryLogin.Result(
          registry.host(), Credential.basic("alice", "s3cret"), java.util.Optional.empty()));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(configFile())))
          .isEqualTo("rw-------");
      JsonNode expected = JSON.readTree(OTHER_KEYS);
      ((com.fasterxml.jackson.databind.node.ObjectNode) expected.path("auths"))
          .putObject(registry.host()).put("auth", base64("alice:s3cret"));
      assertThat(config()).isEqualTo(expected);
      pull(ref);
    }

    @Test
    void aWrongPasswordIsRefusedInDockersWordsAndNothingIsStored() throws IOException {
      Files.writeString(configFile(), OTHER_KEYS);

      assertThatThrownBy(() -> login().login(registry.host(), Credential.basic("alice", "wrong")))
          .isInstanceOf(UnauthorizedException.class)
          .hasMessage("login attempt to http://" + registry.host() + "/v2/ failed with status: 401 Unauthorized");
      assertThat(Files.readString(configFile())).isEqualTo(OTHER_KEYS);
    }

    @Test
    void logoutRemovesTheCredentialAndTheNextPullIsRefused() throws IOException {
      login().login("http://" + registry.host() + "/", Credential.basic("alice", "s3cret"));
      pull(ref);

      assertThat(login().logout(registry.host())).isTrue();

      assertThat(config().path("auths").has(registry.host())).isFalse();
      assertThatThrownBy(() -> pull(ref))
          .isInstanceOf(UnauthorizedException.class)
          .hasMessageStartingWith("pull access denied for " + registry.host() + "/private/app");
      assertThat(login().logout(registry.host())).isFalse();
    }

    @Test
    void aCredentialHelperGetsTheSecretAndTheFileNone(@TempDir Path bin) throws IOException {
      FakeCredentialHelper helper = FakeCredentialHelper.install(bin, "fake");
      Files.writeString(configFile(), "{\"credHelpers\":{\"" + registry.host() + "\":\"fake\"}}");
      CredentialStore credentials = CredentialStore.of(configFile(), java.util.List.of(bin));
      RegistryLogin login = RegistryLogin.builder().credentialStore(credentials).build();

      RegistryLogin.Result result = login.login(registry.host(), Credential.basic("alice", "s3cret"));

      assertThat(result.helper()).contains("fake");
      assertThat(helper.stored().get(registry.host()).path("Secret").asText()).isEqualTo("s3cret");
      assertThat(Files.readString(configFile())).doesNotContain("s3cret").doesNotContain("\"auth\"");
      assertThat(login.logout(registry.host())).isTrue();
      assertThat(helper.calls()).startsWith("store", "erase");
      assertThat(helper.stored()).isEmpty();
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class TokenAuth {
    TokenIssuer issuer;
    LocalRegistry registry;
    String ref;

    @BeforeAll
    void start() throws IOException {
      issuer = TokenIssuer.start().user("bob", "hunter2", "pull");
      registry = LocalRegistry.withTokenAuth(issuer);
      registry.push(image, "private/app", "v1");
      ref = registry.host() + "/private/app:v1";
    }

    @AfterAll
    void stop() throws IOException {
      registry.close();
      issuer.close();
    }

    @Test
    void asksForATokenAsDockerDoesAndStoresTheRefreshTokenInsteadOfThePassword() throws IOException {
      issuer.clearRequests();

      RegistryLogin.Result result = login().login(registry.host(), Credential.basic("bob", "hunter2"));

      RecordedRequest request = issuer.requests().get(0);
      assertThat(issuer.requests()).hasSize(1);
      assertThat(request.method()).isEqualTo("GET");
      assertThat(request.params()).containsOnlyKeys("service", "offline_token", "client_id", "account");
      assertThat(request.param("service")).contains(issuer.service());
      assertThat(request.param("account")).contains("bob");
      assertThat(request.param("client_id")).contains("docker");
      assertThat(request.param("offline_token")).contains("true");
      assertThat(request.authorization()).contains("Basic " + base64("bob:hunter2"));
      assertThat(result.credential().isIdentityToken()).isTrue();
      assertThat(result.credential().username()).isEqualTo("bob");
      JsonNode entry = config().path("auths").path(registry.host());
      assertThat(entry.path("identitytoken").asText()).isEqualTo(result.credential().identityToken());
      assertThat(entry.path("auth").asText()).isEqualTo(base64("bob:"));
      assertThat(Files.readString(configFile())).doesNotContain("hunter2");

      issuer.clearRequests();
      pull(ref);
      assertThat(issuer.requests().get(0).param("grant_type")).contains("refresh_token");
    }

    @Test
    void wrongCredentialsAreRefusedWithTheTokenServersMessageAndNothingIsStored() {
      assertThatThrownBy(() -> login().login(registry.host(), Credential.basic("bob", "nope")))
          .isInstanceOf(UnauthorizedException.class)
          .hasMessage("Get \"http://" + registry.host() + "/v2/\": unauthorized: incorrect username or password");
      assertThat(configFile()).doesNotExist();
    }

    @Test
    void tokenServerErrorsAreWordedAsDockerWordsThem() {
      issuer.failNext(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"account locked\"}]}");
      assertThatThrownBy(() -> login().login(registry.host(), Credential.basic("bob", "hunter2")))
          .isInstanceOf(UnauthorizedException.class)
          .hasMessage("Get \"http://" + registry.host() + "/v2/\": unauthorized: account locked");

      issuer.failNext(503, "");
      assertThatThrownBy(() -> login().login(registry.host(), Credential.basic("bob", "hunter2")))
          .isNotInstanceOf(UnauthorizedException.class)
          .hasMessage("Get \"http://" + registry.host() + "/v2/\": received unexpected HTTP status: 503"
              + " Service Unavailable");
      assertThat(configFile()).doesNotExist();
    }

    @Test
    void logoutMakesThePrivateImageUnreachableAgain() throws IOException {
      login().login(registry.host(), Credential.basic("bob", "hunter2"));
      pull(ref);

      assertThat(login().logout(registry.host())).isTrue();

      assertThatThrownBy(() -> pull(ref)).isInstanceOf(UnauthorizedException.class);
    }
  }

  @Test
  void aTokenRealmOnAnotherSiteNeverSeesThePassword() throws IOException {
    try (FaultRegistry registry = FaultRegistry.start();
        TokenIssuer issuer = TokenIssuer.start().user("alice", "s3cret")) {
      String elsewhere = "http://localhost:" + issuer.realm().getPort() + "/token";
      registry.failNext("^/v2/$", 401, "{}",
          Map.of("WWW-Authenticate", "Bearer realm=\"" + elsewhere + "\",service=\"x\""));

      assertThatThrownBy(() -> login().login(registry.host(), Credential.basic("alice", "s3cret")))
          .isInstanceOf(RegistryException.class)
          .hasMessage("not sending the credentials for " + registry.host()
              + " to its token realm localhost: the realm is not on the registry's site");
      assertThat(issuer.requests()).isEmpty();
      assertThat(configFile()).doesNotExist();
    }
  }

  @Test
  void headersHostsTomlConfiguresForTheRegistryReachItOnLogin() throws IOException {
    try (FaultRegistry registry = FaultRegistry.start()) {
      registry.failNext("^/v2/$", 401, "{}", Map.of("WWW-Authenticate", "Basic realm=\"x\""));
      Path hostDir = hostsDir.resolve(registry.host().replace(":", "_") + "_");
      Files.createDirectories(hostDir);
      Files.writeString(hostDir.resolve("hosts.toml"),
          "server = \"" + registry.baseUri() + "\"\n[header]\n  X-Tenant = \"blue\"\n");

      try (RegistryLogin login = RegistryLogin.builder()
          .credentialStore(CredentialStore.of(configFile())).hostsDirectory(hostsDir).build()) {
        login.login(registry.host(), Credential.basic("alice", "s3cret"));
      }

      assertThat(registry.requests()).extracting(RecordedRequest::path).containsExactly("/v2/", "/v2/");
      assertThat(registry.requests()).allSatisfy(r -> assertThat(r.header("X-Tenant")).contains("blue"));
      assertThat(registry.requests().get(1).authorization()).contains("Basic " + base64("alice:s3cret"));
    }
  }

  @Test
  void aServerOnAnotherHostThatHostsTomlNamesNeverSeesTheRegistrysPassword() throws IOException {
    try (FaultRegistry registry = FaultRegistry.start();
        FaultRegistry elsewhere = FaultRegistry.start()) {
      registry.failNext("^/v2/$", 401, "{}", Map.of("WWW-Authenticate", "Basic realm=\"x\""));
      Path hostDir = hostsDir.resolve(registry.host().replace(":", "_") + "_");
      Files.createDirectories(hostDir);
      Files.writeString(hostDir.resolve("hosts.toml"), "server = \"" + elsewhere.baseUri() + "\"\n");

      try (RegistryLogin login = RegistryLogin.builder()
          .credentialStore(CredentialStore.of(configFile())).hostsDirectory(hostsDir).build()) {
        login.login(registry.host(), Credential.basic("alice", "s3cret"));
      }

      assertThat(elsewhere.requests()).isEmpty();
      assertThat(registry.requests()).extracting(RecordedRequest::path).containsExactly("/v2/", "/v2/");
      assertThat(registry.requests().get(1).authorization()).contains("Basic " + base64("alice:s3cret"));
    }
  }

  @Test
  void aMalformedConfigFileFailsTheLoginBeforeTheRegistryIsAsked() throws IOException {
    try (FaultRegistry registry = FaultRegistry.start()) {
      Files.writeString(configFile(), "{\"auths\": ");

      assertThatThrownBy(() -> login().login(registry.host(), Credential.basic("alice", "s3cret")))
          .hasMessageStartingWith(configFile() + ": malformed JSON");
      assertThat(registry.requests()).isEmpty();
      assertThat(Files.readString(configFile())).isEqualTo("{\"auths\": ");
    }
  }

  @Test
  void anEmptyPasswordIsRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> login().login("127.0.0.1:1", Credential.basic("alice", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("password is required");
  }
}
