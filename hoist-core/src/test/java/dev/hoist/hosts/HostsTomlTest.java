package dev.hoist.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** containerd's {@code hosts.toml}, each setting of {@code docs/hosts.md}. */
class HostsTomlTest {
  private static final URI UPSTREAM = URI.create("https://registry.example/v2");

  @TempDir Path dir;

  private List<Endpoint> read(String toml) throws IOException {
    Path file = dir.resolve("hosts.toml");
    Files.writeString(file, toml);
    return HostsToml.read(file, UPSTREAM);
  }

  @Test
  void hostsComeFirstInFileOrderThenTheServer() throws IOException {
    List<Endpoint> endpoints = read("""
        server = "https://registry-1.docker.io"

        [host."https://zeta.mirror"]
          capabilities = ["pull"]
        [host."http://alpha.mirror:5000"]
          capabilities = ["pull", "resolve"]
        """);

    assertThat(endpoints).extracting(e -> e.root().toString()).containsExactly(
        "https://zeta.mirror/v2", "http://alpha.mirror:5000/v2", "https://registry-1.docker.io/v2");
    assertThat(endpoints).extracting(Endpoint::mirror).containsExactly(true, true, false);
    assertThat(endpoints.get(0).capabilities()).containsExactly(Capability.PULL);
    assertThat(endpoints.get(1).capabilities()).containsExactly(Capability.PULL, Capability.RESOLVE);
    assertThat(endpoints.get(2).capabilities()).isEqualTo(EnumSet.allOf(Capability.class));
    assertThat(endpoints).allSatisfy(e -> assertThat(e.source()).isEqualTo(dir.resolve("hosts.toml").toString()));
  }

  @Test
  void withoutServerTheRegistryItselfComesLastWithTheTopLevelSettings() throws IOException {
    List<Endpoint> endpoints = read("""
        skip_verify = true
        ca = "upstream-ca.pem"
        capabilities = ["pull"]

        [host."https://mirror.example"]
        """);

    Endpoint upstream = endpoints.get(1);
    assertThat(upstream.root()).isEqualTo(UPSTREAM);
    assertThat(upstream.mirror()).isFalse();
    assertThat(upstream.skipVerify()).isTrue();
    assertThat(upstream.caCertificates()).containsExactly(dir.resolve("upstream-ca.pem"));
    assertThat(upstream.capabilities()).as("containerd gives the default server every capability")
        .isEqualTo(EnumSet.allOf(Capability.class));
    assertThat(endpoints.get(0).capabilities()).as("a host without capabilities has them all")
        .isEqualTo(EnumSet.allOf(Capability.class));
  }

  @ParameterizedTest
  @CsvSource({
    "mirror.example,                        false, https://mirror.example/v2",
    "https://mirror.example/,               false, https://mirror.example/v2",
    "https://mirror.example/v2,             false, https://mirror.example/v2",
    "https://mirror.example/cache/docker,   false, https://mirror.example/cache/docker/v2",
    "https://mirror.example//cache/./x/../y, false, https://mirror.example/cache/y/v2",
    "https://mirror.example/v2/upstream,    true,  https://mirror.example/v2/upstream",
    "https://mirror.example,                true,  https://mirror.example",
    "http://10.0.0.2:5000,                  false, http://10.0.0.2:5000/v2",
  })
  void theApiRootIsThePathWithV2UnlessOverridden(String url, boolean override, String root)
      throws IOException {
    List<Endpoint> endpoints = read("[host.\"" + url + "\"]\noverride_path = " + override + "\n");

    assertThat(endpoints.get(0).root()).hasToString(root);
  }

  @Test
  void serverWithoutSchemeIsHttpsAndTakesOverridePath() throws IOException {
    List<Endpoint> endpoints = read("server = \"registry.example/api\"\noverride_path = true\n");

    assertThat(endpoints).singleElement().satisfies(e -> {
      assertThat(e.root()).hasToString("https://registry.example/api");
      assertThat(e.mirror()).isFalse();
    });
  }

  @Test
  void tlsSettingsArePathsRelativeToTheFile() throws IOException {
    List<Endpoint> endpoints = read("""
        [host."https://a.mirror"]
          ca = ["/etc/certs/a.pem", "b.pem"]
          client = [["client.cert", "client.key"], ["both.pem", ""]]
          skip_verify = true
        [host."https://b.mirror"]
          client = "/etc/certs/client.pem"
        [host."https://c.mirror"]
          client = ["one.pem", "two.pem"]
        """);

    Endpoint a = endpoints.get(0);
    assertThat(a.caCertificates()).containsExactly(Path.of("/etc/certs/a.pem"), dir.resolve("b.pem"));
    assertThat(a.clientCertificates()).containsExactly(
        new ClientCertificate(dir.resolve("client.cert"), Optional.of(dir.resolve("client.key"))),
        new ClientCertificate(dir.resolve("both.pem"), Optional.empty()));
    assertThat(a.skipVerify()).isTrue();
    assertThat(a.insecure()).isFalse();
    assertThat(endpoints.get(1).clientCertificates())
        .containsExactly(new ClientCertificate(Path.of("/etc/certs/client.pem"), Optional.empty()));
    assertThat(endpoints.get(2).clientCertificates()).extracting(ClientCertificate::certificate)
        .containsExactly(dir.resolve("one.pem"), dir.resolve("two.pem"));
    assertThat(endpoints.get(1).skipVerify()).isFalse();
  }

  @Test
  void headersAreStringsOrArrays() throws IOException {
    List<Endpoint> endpoints = read("""
        [host."https://mirror.example"]
          [host."https://mirror.example".header]
            X-Custom-1 = "one"
            x-custom-2 = ["a", "b"]
        """);

    assertThat(endpoints.get(0).headers())
        .isEqualTo(Map.of("x-custom-1", List.of("one"), "x-custom-2", List.of("a", "b")));
  }

  @Test
  void unknownCapabilityNamesTheFileAndKey() {
    assertThatThrownBy(() -> read("[host.\"https://m.example\"]\ncapabilities = [\"pull\", \"fetch\"]\n"))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(dir.resolve("hosts.toml") + ": host.\"https://m.example\".capabilities:"
            + " unknown capability \"fetch\" (expected pull, resolve or push)")
        .satisfies(e -> assertThat(((HostsConfigException) e).key())
            .contains("host.\"https://m.example\".capabilities"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "skip_verify = \"yes\"                          | skip_verify: expected true or false, got the string \"yes\"",
    "capabilities = \"pull\"                        | capabilities: expected an array of strings, got the string \"pull\"",
    "ca = 5                                         | ca: expected a string or an array of strings, got 5",
    "client = [[\"only-one\"]]                      | client: expected a path or a [certificate, key] pair, got [\"only-one\"]",
    "server = \"ftp://registry.example\"            | server: not an http or https URL: ftp://registry.example",
    "server = \"https://registry.example/?x=1\"     | server: expected scheme://host[:port][/path]: https://registry.example/?x=1",
    "host = \"https://m.example\"                   | host: expected a table, got the string \"https://m.example\"",
    "header = { Host = \"evil\" }                   | header.Host: not a header hoist can send",
  })
  void invalidSettingsNameTheFileAndKey(String toml, String message) {
    assertThatThrownBy(() -> read(toml + "\n"))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(dir.resolve("hosts.toml") + ": " + message);
  }

  @Test
  void invalidTomlNamesTheFileAndLine() {
    assertThatThrownBy(() -> read("server = \"https://a\"\n[host.\"https://b\"\n"))
        .isInstanceOf(HostsConfigException.class)
        .hasMessageStartingWith(dir.resolve("hosts.toml") + ": not valid TOML: ")
        .hasMessageContaining("(line 2, column");
  }

  @Test
  void keysHoistDoesNotUseAreIgnored() throws IOException {
    List<Endpoint> endpoints = read("""
        dial_timeout = "1s"
        [host."https://m.example"]
          proxy = "http://proxy:8080"
          dial_timeout = "500ms"
        """);

    assertThat(endpoints).hasSize(2);
  }
}
