package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RegistryEndpointTest {
  @Test
  void dockerHubIsServedByRegistryOne() {
    RegistryEndpoint hub = RegistryEndpoint.of("docker.io", Set.of());

    assertThat(hub.host()).isEqualTo("registry-1.docker.io");
    assertThat(hub.insecure()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000"})
  void loopbackRegistriesAreInsecureAsInDocker(String registry) {
    assertThat(RegistryEndpoint.of(registry, Set.of()).insecure()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ghcr.io", "10.0.0.1:5000", "localhost.example.com", "[2001:db8::1]:5000"})
  void otherRegistriesAreSecureUnlessNamed(String registry) {
    assertThat(RegistryEndpoint.of(registry, Set.of()).insecure()).isFalse();
    assertThat(RegistryEndpoint.of(registry, Set.of(registry)).insecure()).isTrue();
  }

  @Test
  void sameHostComparesHostAndEffectivePort() {
    RegistryEndpoint e = RegistryEndpoint.of("reg.example.com", Set.of());
    URI base = URI.create("https://reg.example.com");

    assertThat(e.isSameHost(URI.create("https://reg.example.com:443/v2/x"), base)).isTrue();
    assertThat(e.isSameHost(URI.create("https://REG.example.com/v2/x"), base)).isTrue();
    assertThat(e.isSameHost(URI.create("https://reg.example.com:8443/v2/x"), base)).isFalse();
    assertThat(e.isSameHost(URI.create("https://s3.amazonaws.com/bucket/blob"), base)).isFalse();
  }
}
