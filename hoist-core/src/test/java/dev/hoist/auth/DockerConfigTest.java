package dev.hoist.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DockerConfigTest {
  private static final Credential ALICE = Credential.basic("alice", "s3cret");
  private static final String ALICE_JSON =
      "{\"auths\": {\"ghcr.io\": {\"username\": \"alice\", \"password\": \"s3cret\"}}}";

  @TempDir Path dir;

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private DockerConfig config(String json) throws IOException {
    Path file = Files.writeString(dir.resolve("config.json"), json);
    return DockerConfig.load(file, List.of(dir));
  }

  private DockerConfig auths(String key, String entry) throws IOException {
    return config("{\"auths\": {\"" + key + "\": " + entry + "}}");
  }

  private DockerConfig basicAuth(String key) throws IOException {
    return auths(key, "{\"auth\": \"" + base64("alice:s3cret") + "\"}");
  }

  @Test
  void base64AuthIsDecodedIntoUsernameAndPassword() throws IOException {
    assertThat(basicAuth("ghcr.io").lookup("ghcr.io")).contains(ALICE);
  }

  @Test
  void passwordMayContainColonsAndLosesTrailingNuls() throws IOException {
    DockerConfig config = auths("ghcr.io", "{\"auth\": \"" + base64("alice:a:b\0\0") + "\"}");

    assertThat(config.lookup("ghcr.io")).contains(Credential.basic("alice", "a:b"));
  }

  @Test
  void separateUsernameAndPasswordFieldsAreRead() throws IOException {
    DockerConfig config = auths("ghcr.io", "{\"username\": \"alice\", \"password\": \"s3cret\"}");

    assertThat(config.lookup("ghcr.io")).contains(ALICE);
  }

  @Test
  void identityTokenIsReadWithTheUsernameFromAuth() throws IOException {
    String entry = "{\"auth\": \"" + base64("alice:") + "\", \"identitytoken\": \"refresh-1\"}";

    assertThat(auths("myreg:5000", entry).lookup("myreg:5000"))
        .contains(Credential.identityToken("alice", "refresh-1"));
  }

  @Test
  void dockerHubIsLookedUpUnderTheIndexServerKey() throws IOException {
    DockerConfig config = basicAuth("https://index.docker.io/v1/");

    assertThat(config.lookup("docker.io")).contains(ALICE);
    assertThat(config.lookup("ghcr.io")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"index.docker.io", "docker.io", "registry-1.docker.io", "https://docker.io"})
  void dockerHubAlsoMatchesItsOtherHostNames(String key) throws IOException {
    assertThat(basicAuth(key).lookup("docker.io")).contains(ALICE);
  }

  @Test
  void keysMatchOnceSchemeAndPathAreStripped() throws IOException {
    assertThat(basicAuth("https://myreg:5000/v2/").lookup("myreg:5000")).contains(ALICE);
    assertThat(basicAuth("http://[::1]:5000").lookup("[::1]:5000")).contains(ALICE);
    assertThat(basicAuth("ghcr.io/some/path").lookup("ghcr.io")).contains(ALICE);
    assertThat(basicAuth("https://myreg:5000/v2/").lookup("myreg")).isEmpty();
  }

  @Test
  void exactKeyBeatsANormalisedOne() throws IOException {
    DockerConfig config =
        config(
            "{\"auths\": {\"https://ghcr.io\": {\"username\": \"other\", \"password\": \"x\"},"
                + " \"ghcr.io\": {\"username\": \"alice\", \"password\": \"s3cret\"}}}");

    assertThat(config.lookup("ghcr.io")).contains(ALICE);
  }

  @Test
  void emptyEntryHoldsNoCredential() throws IOException {
    assertThat(auths("ghcr.io", "{}").lookup("ghcr.io")).isEmpty();
  }

  @Test
  void missingFileIsAnEmptyConfig() throws IOException {
    assertThat(DockerConfig.load(dir.resolve("absent.json")).lookup("docker.io")).isEmpty();
  }

  @Test
  void emptyFileIsAnEmptyConfig() throws IOException {
    assertThat(config("").lookup("docker.io")).isEmpty();
  }

  @Test
  void malformedJsonFailsNamingTheFileButNotTheSecret() {
    assertThatThrownBy(() -> config("{\"auths\": {\"ghcr.io\": {\"auth\": s3cret}}}"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(dir.resolve("config.json") + ": malformed JSON at line 1")
        .hasMessageNotContaining("s3cret")
        .hasNoCause();
  }

  @Test
  void invalidBase64FailsNamingTheKeyButNotTheSecret() {
    assertThatThrownBy(() -> auths("ghcr.io", "{\"auth\": \"s3cret!!\"}"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve("config.json").toString())
        .hasMessageContaining("auths[\"ghcr.io\"].auth is not valid base64")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void authWithoutUsernameFailsAsInvalidAuthConfiguration() {
    assertThatThrownBy(() -> auths("ghcr.io", "{\"auth\": \"" + base64("s3cret") + "\"}"))
        .hasMessageContaining("auths[\"ghcr.io\"].auth is not base64 of username:password")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void fieldOfTheWrongTypeFailsNamingIt() {
    assertThatThrownBy(() -> config("{\"credsStore\": 1}"))
        .hasMessageEndingWith("credsStore is not a string");
  }

  @Test
  void credHelperForTheRegistryBeatsCredsStore() throws IOException {
    FakeHelper.answering(dir, "store", "from-store", "pw");
    FakeHelper.answering(dir, "ghcr", "from-ghcr", "pw");
    DockerConfig config =
        config(
            "{\"credsStore\": \"store\", \"credHelpers\": {\"ghcr.io\": \"ghcr\"}, \"auths\":"
                + " {\"ghcr.io\": {\"username\": \"from-file\", \"password\": \"pw\"}}}");

    assertThat(user(config.lookup("ghcr.io"))).isEqualTo("from-ghcr");
    assertThat(user(config.lookup("quay.io"))).isEqualTo("from-store");
  }

  @Test
  void credsStoreBeatsAuths() throws IOException {
    FakeHelper.answering(dir, "store", "from-store", "pw");
    DockerConfig config =
        config(
            "{\"credsStore\": \"store\", \"auths\": {\"ghcr.io\": {\"username\": \"from-file\","
                + " \"password\": \"pw\"}}}");

    assertThat(user(config.lookup("ghcr.io"))).isEqualTo("from-store");
  }

  @Test
  void emptyCredHelperEntrySendsTheRegistryToAuthsDespiteCredsStore() throws IOException {
    DockerConfig config =
        config(
            "{\"credsStore\": \"absent\", \"credHelpers\": {\"ghcr.io\": \"\"}, \"auths\":"
                + " {\"ghcr.io\": {\"username\": \"alice\", \"password\": \"s3cret\"}}}");

    assertThat(config.lookup("ghcr.io")).contains(ALICE);
  }

  @Test
  void dockerHubHelperIsAskedForTheIndexServerUrl() throws IOException {
    FakeHelper.answering(dir, "store", "alice", "s3cret");

    assertThat(config("{\"credsStore\": \"store\"}").lookup("docker.io")).contains(ALICE);
    assertThat(FakeHelper.stdin(dir, "store")).isEqualTo("https://index.docker.io/v1/");
  }

  @Test
  void missingCredsStoreHelperFailsTheLookup() throws IOException {
    assertThatThrownBy(() -> config("{\"credsStore\": \"absent\"}").lookup("ghcr.io"))
        .hasMessageStartingWith(
            "error getting credentials - err: exec: \"docker-credential-absent\"");
  }

  @Test
  void dockerConfigVariableChoosesTheDirectory(@TempDir Path home) throws IOException {
    Path custom = Files.createDirectories(dir.resolve("custom"));
    Files.writeString(custom.resolve("config.json"), ALICE_JSON);
    Map<String, String> env = Map.of("DOCKER_CONFIG", custom.toString());

    assertThat(CredentialStore.fromEnvironment(env, home).lookup("ghcr.io")).contains(ALICE);
  }

  @Test
  void homeDotDockerIsReadAgainOnEveryLookup(@TempDir Path home) throws IOException {
    CredentialProvider provider = CredentialStore.fromEnvironment(Map.of(), home);
    assertThat(provider.lookup("ghcr.io")).isEmpty();

    Path docker = Files.createDirectories(home.resolve(".docker"));
    Files.writeString(docker.resolve("config.json"), ALICE_JSON);

    assertThat(provider.lookup("ghcr.io")).contains(ALICE);
  }

  private static String user(Optional<Credential> credential) {
    return credential.map(Credential::username).orElse("<none>");
  }
}
