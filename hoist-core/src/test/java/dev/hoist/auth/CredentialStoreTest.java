package dev.hoist.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.testing.FakeCredentialHelper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Credential ALICE = Credential.basic("alice", "s3cret");
  private static final String REGISTRY = "127.0.0.1:5000";

  @TempDir Path home;
  @TempDir Path bin;
  Path config;
  CredentialStore store;

  @BeforeEach
  void setUp() {
    config = home.resolve(".docker/config.json");
    store = new CredentialStore(config, List.of(bin));
  }

  private JsonNode file() throws IOException {
    return JSON.readTree(config.toFile());
  }

  private void write(String json) throws IOException {
    Files.createDirectories(config.getParent());
    Files.writeString(config, json);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void storeWritesDockersAuthFieldUnderTheServerKey() throws IOException {
    store.store(REGISTRY, ALICE);

    assertThat(file().path("auths").path(REGISTRY))
        .isEqualTo(JSON.createObjectNode().put("auth", base64("alice:s3cret")));
  }

  @Test
  void storeKeepsEveryOtherKeyOfTheFileAsItWas() throws IOException {
    String before = "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + base64("bob:pw") + "\",\"email\":\"b@x\"}},"
        + "\"proxies\":{\"default\":{\"httpProxy\":\"http://proxy:3128\"}},"
        + "\"psFormat\":\"table {{.ID}}\",\"somethingNew\":[1,2.50,true,null],\"credHelpers\":{}}";
    write(before);

    store.store(REGISTRY, ALICE);

    JsonNode after = file();
    JsonNode expected = JSON.readTree(before);
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected.path("auths"))
        .putObject(REGISTRY).put("auth", base64("alice:s3cret"));
    assertThat(after).isEqualTo(expected);
    assertThat(Files.readString(config)).contains("2.50").contains("\t\"psFormat\": \"table {{.ID}}\"");
  }

  @Test
  void configFileIsWrittenWithMode0600InADirectoryCreatedWith0700() throws IOException {
    store.store(REGISTRY, ALICE);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void aReadableConfigFileBecomesPrivateAndNoTemporaryFileIsLeft() throws IOException {
    write("{}");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

    store.store(REGISTRY, ALICE);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(config.getParent())) {
      assertThat(files).containsExactly(config);
    }
  }

  @Test
  void storeWritesThroughASymlinkedConfigFile(@TempDir Path dotfiles) throws IOException {
    Path real = dotfiles.resolve("docker-config.json");
    Files.writeString(real, "{\"psFormat\":\"x\"}");
    Files.createDirectories(config.getParent());
    Files.createSymbolicLink(config, real);

    store.store(REGISTRY, ALICE);

    assertThat(config).isSymbolicLink();
    assertThat(JSON.readTree(real.toFile()).path("auths").has(REGISTRY)).isTrue();
    assertThat(JSON.readTree(real.toFile()).path("psFormat").asText()).isEqualTo("x");
  }

  @Test
  void aMalformedFileIsLeftAloneAndNotQuoted() throws IOException {
    String broken = "{\"auths\": {\"ghcr.io\": {\"auth\": s3cret";
    write(broken);

    assertThatThrownBy(() -> store.store(REGISTRY, ALICE))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(config + ": malformed JSON")
        .hasMessageNotContaining("s3cret");
    assertThat(Files.readString(config)).isEqualTo(broken);
  }

  @Test
  void whatIsStoredIsWhatTheNextLookupFinds() throws IOException {
    store.store(REGISTRY, ALICE);
    store.store("docker.io", Credential.basic("bob", "pw"));

    assertThat(store.lookup(REGISTRY)).contains(ALICE);
    assertThat(store.lookup("docker.io")).contains(Credential.basic("bob", "pw"));
    assertThat(file().path("auths").has("https://index.docker.io/v1/")).isTrue();
  }

  @Test
  void anIdentityTokenIsStoredBesideTheUserNameAsDockerStoresIt() throws IOException {
    store.store(REGISTRY, Credential.identityToken("bob", "refresh-1"));

    assertThat(file().path("auths").path(REGISTRY))
        .isEqualTo(JSON.createObjectNode().put("auth", base64("bob:")).put("identitytoken", "refresh-1"));
    assertThat(store.lookup(REGISTRY)).contains(Credential.identityToken("bob", "refresh-1"));
  }

  @Test
  void aCredsStoreHelperKeepsTheSecretAndTheFileOnlyAnEmptyEntry() throws IOException {
    FakeCredentialHelper helper = FakeCredentialHelper.install(bin, "fake");
    write("{\"credsStore\":\"fake\"}");

    store.store(REGISTRY, ALICE);

    assertThat(helper.calls()).containsExactly("store");
    assertThat(JSON.readTree(helper.lastInput("store")))
        .isEqualTo(JSON.readTree("{\"ServerURL\":\"" + REGISTRY + "\",\"Username\":\"alice\",\"Secret\":\"s3cret\"}"));
    assertThat(file().path("auths").path(REGISTRY)).isEqualTo(JSON.createObjectNode());
    assertThat(Files.readString(config)).doesNotContain("s3cret").doesNotContain(base64("alice:s3cret"));
    assertThat(store.helper(REGISTRY)).contains("fake");
    assertThat(store.lookup(REGISTRY)).contains(ALICE);
  }

  @Test
  void aCredHelpersEntryWinsOverCredsStore() throws IOException {
    FakeCredentialHelper helper = FakeCredentialHelper.install(bin, "fake");
    write("{\"credsStore\":\"absent\",\"credHelpers\":{\"" + REGISTRY + "\":\"fake\"}}");

    store.store(REGISTRY, ALICE);

    assertThat(helper.stored()).containsOnlyKeys(REGISTRY);
    assertThat(store.helper("ghcr.io")).contains("absent");
  }

  @Test
  void aFailingHelperStoresNothing() throws IOException {
    write("{\"credsStore\":\"absent\"}");

    assertThatThrownBy(() -> store.store(REGISTRY, ALICE))
        .hasMessageStartingWith("error storing credentials - err: exec: \"docker-credential-absent\"");
    assertThat(file().has("auths")).isFalse();
  }

  @Test
  void eraseRemovesEveryEntryAPullWouldUseAndKeepsTheRest() throws IOException {
    String entry = "{\"auth\":\"" + base64("alice:s3cret") + "\"}";
    write("{\"auths\":{\"myreg:5000\":" + entry + ",\"https://myreg:5000/v2/\":" + entry
        + ",\"http://myreg:5000\":" + entry + ",\"ghcr.io\":" + entry + ",\"myreg:5001\":" + entry
        + "},\"psFormat\":\"x\"}");

    assertThat(store.erase("myreg:5000")).isTrue();

    assertThat(file().path("auths").fieldNames()).toIterable().containsExactly("ghcr.io", "myreg:5001");
    assertThat(file().path("psFormat").asText()).isEqualTo("x");
    assertThat(store.lookup("myreg:5000")).isEmpty();
  }

  @Test
  void eraseOfDockerHubRemovesItsEntriesUnderEveryName() throws IOException {
    String entry = "{\"auth\":\"" + base64("alice:s3cret") + "\"}";
    write("{\"auths\":{\"https://index.docker.io/v1/\":" + entry + ",\"docker.io\":" + entry
        + ",\"ghcr.io\":" + entry + "}}");

    assertThat(store.erase("")).isTrue();

    assertThat(file().path("auths").fieldNames()).toIterable().containsExactly("ghcr.io");
  }

  @Test
  void eraseWithNothingStoredSaysSoAndCreatesNoFile() throws IOException {
    assertThat(store.erase(REGISTRY)).isFalse();
    assertThat(config).doesNotExist();
  }

  @Test
  void eraseAsksTheHelperUnderEachKeyDockerMayHaveUsed() throws IOException {
    FakeCredentialHelper helper = FakeCredentialHelper.install(bin, "fake");
    write("{\"credsStore\":\"fake\"}");
    store.store(REGISTRY, ALICE);

    assertThat(store.erase(REGISTRY)).isTrue();

    assertThat(helper.calls()).containsExactly("store", "erase", "erase", "erase");
    assertThat(helper.stored()).isEmpty();
    assertThat(file().path("auths").has(REGISTRY)).isFalse();
    assertThat(store.erase(REGISTRY)).isFalse();
  }

  @Test
  void serverAddressIsTheKeyDockerStoresUnder() {
    assertThat(Stream.of("", "docker.io", "index.docker.io", "https://index.docker.io/v1/",
            "registry-1.docker.io")
        .map(CredentialStore::serverAddress))
        .containsOnly("https://index.docker.io/v1/");
    assertThat(CredentialStore.serverAddress("https://myreg:5000/v2/")).isEqualTo("myreg:5000");
    assertThat(CredentialStore.serverAddress("http://127.0.0.1:5000")).isEqualTo("127.0.0.1:5000");
    assertThat(CredentialStore.serverAddress("[::1]:5000")).isEqualTo("[::1]:5000");
    assertThat(CredentialStore.serverAddress("ghcr.io")).isEqualTo("ghcr.io");
    assertThat(CredentialStore.registry("https://index.docker.io/v1/")).isEqualTo("docker.io");
    assertThat(CredentialStore.registry("https://ghcr.io/")).isEqualTo("ghcr.io");
  }

  @Test
  void serverAddressRefusesOtherSchemesAndWhatIsNoHost() {
    assertThatThrownBy(() -> CredentialStore.serverAddress("ftp://myreg"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid server address \"ftp://myreg\": unsupported URL scheme \"ftp\": must be"
            + " \"http\" or \"https\"");
    assertThatThrownBy(() -> CredentialStore.serverAddress("my reg"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CredentialStore.serverAddress("alice@myreg"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fromEnvironmentPrefersDockerConfig() throws IOException {
    assertThat(CredentialStore.fromEnvironment(java.util.Map.of("DOCKER_CONFIG", "/etc/dc"), home).configFile())
        .isEqualTo(Path.of("/etc/dc/config.json"));
    assertThat(CredentialStore.fromEnvironment(java.util.Map.of(), home).configFile())
        .isEqualTo(home.resolve(".docker/config.json"));
    assertThat(CredentialStore.fromEnvironment(java.util.Map.of("DOCKER_CONFIG", ""), home).configFile())
        .isEqualTo(home.resolve(".docker/config.json"));
    assertThat(CredentialStore.dockerConfigVariable(java.util.Map.of("DOCKER_CONFIG", "/etc/dc")))
        .contains("DOCKER_CONFIG");
    assertThat(CredentialStore.dockerConfigVariable(java.util.Map.of("DOCKER_CONFIG", ""))).isEmpty();
    assertThat(store.helper(REGISTRY)).isEqualTo(Optional.empty());
  }
}
