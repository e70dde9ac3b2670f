package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.testing.FakeCredentialHelper;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist login} and {@code hoist logout} as a user runs them: the shaded jar in a child
 * process whose {@code DOCKER_CONFIG} points at a temp dir, against real registries, followed by
 * {@code hoist pull}s that use (or miss) what was stored.
 */
class LoginCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OTHER_KEYS =
      "{\"auths\":{\"ghcr.io\":{\"auth\":\"Ym9iOnB3\"}},\"psFormat\":\"table {{.ID}}\","
          + "\"aNewDockerSetting\":{\"enabled\":true}}";

  @TempDir static Path fixtures;
  static OciLayoutImage image;

  @TempDir Path work;
  Path dockerConfig;
  Map<String, String> env;

  @BeforeAll
  static void buildImage() throws IOException {
    image = TestImages.multiLayer(fixtures);
  }

  @BeforeEach
  void isolateDockerConfig() throws IOException {
    dockerConfig = Files.createDirectories(work.resolve("docker"));
    env = Map.of("DOCKER_CONFIG", dockerConfig.toString());
  }

  private HoistProcess hoist(String stdin, String... args) throws Exception {
    return HoistProcess.run(work, env, stdin, args);
  }

  private HoistProcess pull(String ref) throws Exception {
    return hoist("", "pull", "-q", "--store", work.resolve("store").toString(), ref);
  }

  private Path configFile() {
    return dockerConfig.resolve("config.json");
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
    void loginStoresTheCredentialForTheNextPullAndLogoutTakesItAway() throws Exception {
      Files.writeString(configFile(), OTHER_KEYS);

      HoistProcess login = hoist("", "login", "-u", "alice", "-p", "s3cret", registry.host());

      assertThat(login.exitCode()).as(login.err()).isZero();
      assertThat(login.outLines()).containsExactly("Login Succeeded");
      assertThat(login.err())
          .startsWith("WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
          .contains("WARNING! Your credentials are stored unencrypted in '" + configFile() + "'.");
      assertThat(login.output()).doesNotContain("s3cret").doesNotContain(base64("alice:s3cret"));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(configFile())))
          .isEqualTo("rw-------");
      JsonNode config = JSON.readTree(configFile().toFile());
      assertThat(config.path("auths").path(registry.host()).path("auth").asText())
          .isEqualTo(base64("alice:s3cret"));
      assertThat(config.path("auths").path("ghcr.io")).isEqualTo(JSON.readTree(OTHER_KEYS).path("auths").path("ghcr.io"));
      assertThat(config.path("psFormat").asText()).isEqualTo("table {{.ID}}");
      assertThat(config.path("aNewDockerSetting").path("enabled").asBoolean()).isTrue();

      HoistProcess pulled = pull(ref);
      assertThat(pulled.exitCode()).as(pulled.err()).isZero();
      assertThat(pulled.outLines()).containsExactly(ref);

      HoistProcess logout = hoist("", "logout", registry.host());
      assertThat(logout.exitCode()).isZero();
      assertThat(logout.outLines()).containsExactly("Removing login credentials for " + registry.host());
      assertThat(JSON.readTree(configFile().toFile()).path("auths").has(registry.host())).isFalse();

      HoistProcess refused = pull(registry.host() + "/private/app:v1");
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.err()).contains("pull access denied for " + registry.host() + "/private/app");

      assertThat(hoist("", "logout", registry.host()).outLines())
          .containsExactly("Not logged in to " + registry.host());
    }

    @Test
    void aWrongPasswordFailsWithTheRegistrysAnswerAndStoresNothing() throws Exception {
      Files.writeString(configFile(), OTHER_KEYS);

      HoistProcess login = hoist("wrong\n", "login", "-u", "alice", "--password-stdin", registry.host());

      assertThat(login.exitCode()).isEqualTo(1);
      assertThat(login.err().lines()).containsExactly(
          "Error: login attempt to http://" + registry.host() + "/v2/ failed with status: 401 Unauthorized");
      assertThat(login.out()).isEmpty();
      assertThat(Files.readString(configFile())).isEqualTo(OTHER_KEYS);
    }

    @Test
    void aCredentialHelperGetsTheSecretAndTheConfigFileNone(@TempDir Path bin) throws Exception {
      FakeCredentialHelper helper = FakeCredentialHelper.install(bin, "fake");
      env = Map.of("DOCKER_CONFIG", dockerConfig.toString(),
          "PATH", bin + ":" + System.getenv("PATH"));
      Files.writeString(configFile(), "{\"credsStore\":\"fake\"}");

      HoistProcess login = hoist("s3cret\n", "login", "-u", "alice", "--password-stdin", registry.host());

      assertThat(login.exitCode()).as(login.err()).isZero();
      assertThat(login.outLines()).containsExactly("Login Succeeded");
      assertThat(login.err()).isEmpty();
      assertThat(JSON.readTree(helper.lastInput("store"))).isEqualTo(JSON.readTree(
          "{\"ServerURL\":\"" + registry.host() + "\",\"Username\":\"alice\",\"Secret\":\"s3cret\"}"));
      assertThat(Files.readString(configFile())).doesNotContain("s3cret").doesNotContain("\"auth\"");
      assertThat(pull(ref).exitCode()).isZero();
      assertThat(helper.calls()).containsExactly("store", "get");

      HoistProcess logout = hoist("", "logout", registry.host());

      assertThat(logout.outLines()).containsExactly("Removing login credentials for " + registry.host());
      assertThat(helper.calls()).contains("erase");
      assertThat(helper.stored()).isEmpty();
    }

    @Test
    void withoutCredentialsAndWithoutAConsoleLoginIsAUsageError() throws Exception {
      HoistProcess login = hoist("", "login", registry.host());

      assertThat(login.exitCode()).isEqualTo(2);
      assertThat(login.err().lines())
          .containsExactly("Error: Cannot perform an interactive login from a non TTY device");
      assertThat(configFile()).doesNotExist();
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
    void passwordStdinLogsInWithoutPrintingAnySecretEvenWithDebug() throws Exception {
      HoistProcess login =
          hoist("hunter2\r\n", "login", "--debug", "-u", "bob", "--password-stdin", registry.host());

      assertThat(login.exitCode()).as(login.err()).isZero();
      assertThat(login.outLines()).containsExactly("Login Succeeded");
      JsonNode entry = JSON.readTree(configFile().toFile()).path("auths").path(registry.host());
      String refreshToken = entry.path("identitytoken").asText();
      assertThat(refreshToken).isNotEmpty();
      assertThat(login.err()).contains("DEBUG"); // --debug was on
      assertThat(login.output())
          .doesNotContain("hunter2")
          .doesNotContain(base64("bob:hunter2"))
          .doesNotContain(refreshToken);

      HoistProcess pulled = hoist("", "pull", "--debug", "-q", "--store", work.resolve("store").toString(), ref);
      assertThat(pulled.exitCode()).as(pulled.err()).isZero();
      assertThat(pulled.output()).doesNotContain(refreshToken);
    }

    @Test
    void wrongCredentialsFailWithTheTokenServersAnswerAndPrintNoSecret() throws Exception {
      HoistProcess login =
          hoist("nope-secret\n", "login", "--debug", "-u", "bob", "--password-stdin", registry.host());

      assertThat(login.exitCode()).isEqualTo(1);
      assertThat(login.err()).contains("Error: Get \"http://" + registry.host()
          + "/v2/\": unauthorized: incorrect username or password");
      assertThat(login.output()).doesNotContain("nope-secret").doesNotContain(base64("bob:nope-secret"));
      assertThat(configFile()).doesNotExist();
    }

    @Test
    void logoutMakesThePrivateImageUnreachable() throws Exception {
      assertThat(hoist("hunter2", "login", "-u", "bob", "--password-stdin", registry.host()).exitCode()).isZero();
      assertThat(pull(ref).exitCode()).isZero();

      assertThat(hoist("", "logout", registry.host()).outLines())
          .containsExactly("Removing login credentials for " + registry.host());

      HoistProcess refused = pull(ref);
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.err()).contains("pull access denied");
    }
  }
}
