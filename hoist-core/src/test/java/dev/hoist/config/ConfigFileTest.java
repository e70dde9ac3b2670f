package dev.hoist.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path dir;

  private Path write(String json) throws IOException {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  private void assertRefused(String json, String message) throws IOException {
    Path file = write(json);
    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage("configuration file " + file + ": " + message);
  }

  @Test
  void readsDockersKeysAndHoistsOwnWithPathsRelativeToTheFile() throws IOException {
    Path file = write("""
        {
          "registry-mirrors": ["https://mirror.example.com", "http://10.0.0.5:5000/"],
          "insecure-registries": ["registry.lan:5000", "http://old.lan", "10.0.0.0/8"],
          "max-concurrent-downloads": 6,
          "max-download-attempts": 2,
          "store": "images",
          "hosts-dir": "/etc/containerd/certs.d",
          "registries-conf": "registries.conf",
          "certs-dirs": ["certs.d"],
          "mirror-fallback": false,
          "proxies": {"https-proxy": "http://proxy:3128", "no-proxy": "localhost,.lan"}
        }
        """);

    HoistSettings s = ConfigFile.read(file);

    assertThat(s.source()).contains(file);
    assertThat(s.registryMirrors()).contains(List.of(
        URI.create("https://mirror.example.com/"), URI.create("http://10.0.0.5:5000/")));
    assertThat(s.insecureRegistries()).contains(List.of("registry.lan:5000", "old.lan", "10.0.0.0/8"));
    assertThat(s.maxConcurrentDownloads()).hasValue(6);
    assertThat(s.maxDownloadAttempts()).hasValue(2);
    assertThat(s.store()).contains(dir.resolve("images"));
    assertThat(s.hostsDirectory()).contains(Path.of("/etc/containerd/certs.d"));
    assertThat(s.registriesConf()).contains(dir.resolve("registries.conf"));
    assertThat(s.certsDirectories()).contains(List.of(dir.resolve("certs.d")));
    assertThat(s.mirrorFallback()).contains(false);
    assertThat(s.proxies()).contains(new HoistSettings.Proxies(
        Optional.empty(), Optional.of("http://proxy:3128"), Optional.of("localhost,.lan")));
  }

  @Test
  void anEmptyObjectOrMissingFileChangesNothing() throws IOException {
    assertThat(ConfigFile.read(write("{}")).maxConcurrentDownloads()).isEmpty();
    assertThat(ConfigFile.readIfExists(dir.resolve("absent.json"))).isEqualTo(HoistSettings.NONE);
    assertThatThrownBy(() -> ConfigFile.read(dir.resolve("absent.json")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void unknownKeysAreNamedAsDockerNamesThem() throws IOException {
    assertRefused("{\"max-concurrent-downloads\": 2, \"debug\": true, \"mirrors\": []}",
        "the following directives don't match any configuration option: debug, mirrors");
    assertRefused("{\"proxies\": {\"ftp-proxy\": \"x\"}}",
        "the following directives don't match any configuration option: proxies.ftp-proxy");
  }

  @Test
  void invalidMirrorsAreRefusedInDockersWords() throws IOException {
    assertRefused("{\"registry-mirrors\": [\"ftp://mirror\"]}",
        "invalid mirror: unsupported scheme \"ftp\" in \"ftp://mirror\"");
    assertRefused("{\"registry-mirrors\": [\"mirror.example.com\"]}",
        "invalid mirror: unsupported scheme \"\" in \"mirror.example.com\"");
    assertRefused("{\"registry-mirrors\": [\"https://m.example.com/?x=1\"]}",
        "invalid mirror: query or fragment at end of the URI \"https://m.example.com/?x=1\"");
    assertRefused("{\"registry-mirrors\": [\"https://bob:secret@m.example.com\"]}",
        "invalid mirror: username/password not allowed in URI \"https://xxxxx@m.example.com\"");
  }

  @Test
  void invalidValuesNameTheirKey() throws IOException {
    assertRefused("{\"insecure-registries\": [\"ftp://r.lan\"]}",
        "insecure registry ftp://r.lan should not contain '://'");
    assertRefused("{\"insecure-registries\": [\"-r.lan\"]}",
        "invalid index name (-r.lan). Cannot begin or end with a hyphen");
    assertRefused("{\"max-concurrent-downloads\": 0}",
        "invalid max concurrent downloads: 0 (\"max-concurrent-downloads\" must be at least 1)");
    assertRefused("{\"max-download-attempts\": -1}",
        "invalid max download attempts: -1 (\"max-download-attempts\" must be at least 1)");
    assertRefused("{\"max-concurrent-downloads\": \"3\"}",
        "\"max-concurrent-downloads\" must be a whole number, not \"3\"");
    assertRefused("{\"mirror-fallback\": \"no\"}", "\"mirror-fallback\" must be true or false, not \"no\"");
    assertRefused("{\"registry-mirrors\": \"https://m\"}",
        "\"registry-mirrors\" must be a list of strings, not \"https://m\"");
    assertRefused("[1]", "must hold a JSON object");
  }

  @Test
  void aProxyTheClientCannotUseIsRefusedOnLoadNamingItsKeyButNotItsPassword() throws IOException {
    assertRefused("{\"proxies\": {\"https-proxy\": \"https://bob:hunter2@proxy:3128\"}}",
        "\"proxies.https-proxy\": unsupported proxy https://bob:xxxxx@proxy:3128: hoist speaks only"
            + " to http:// proxies (the JDK's HTTP client speaks neither TLS nor SOCKS to a proxy)");
    assertRefused("{\"proxies\": {\"http-proxy\": \"http://:3128\"}}",
        "\"proxies.http-proxy\": invalid proxy address http://:3128: no host");
    assertThat(ConfigFile.read(write("{\"proxies\": {\"http-proxy\": \" proxy.lan:3128 \"}}")).proxies())
        .hasValueSatisfying(p -> assertThat(p.httpProxy()).contains(" proxy.lan:3128 "));
  }

  @Test
  void brokenJsonSaysWhere() throws IOException {
    Path file = write("{\"store\": ");
    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("configuration file " + file + " is not valid JSON");
  }

  @Test
  void theDefaultPathFollowsHoistConfigThenXdg() {
    assertThat(ConfigFile.defaultPath(Map.of("HOIST_CONFIG", "/etc/hoist.json")))
        .isEqualTo(Path.of("/etc/hoist.json"));
    assertThat(ConfigFile.defaultPath(Map.of("XDG_CONFIG_HOME", "/cfg")))
        .isEqualTo(Path.of("/cfg/hoist/config.json"));
    assertThat(ConfigFile.defaultPath(Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".config/hoist/config.json"));
  }

  @Test
  void theVariableThatChoseTheDefaultPathIsTheOneItFollowed() {
    assertThat(ConfigFile.defaultPathVariable(Map.of("HOIST_CONFIG", "/h.json", "XDG_CONFIG_HOME", "/cfg")))
        .contains("HOIST_CONFIG");
    assertThat(ConfigFile.defaultPathVariable(Map.of("HOIST_CONFIG", " ", "XDG_CONFIG_HOME", "/cfg")))
        .contains("XDG_CONFIG_HOME");
    assertThat(ConfigFile.defaultPathVariable(Map.of("XDG_CONFIG_HOME", ""))).isEmpty();
  }
}
