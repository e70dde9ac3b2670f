package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.hosts.RegistryHosts;
import java.io.IOException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class RegistryEndpointTest {
  private static RegistryEndpoint upstream(String registry) throws IOException {
    return RegistryEndpoint.of(
        registry, RegistryHosts.none().endpoints(registry).get(0), new CertsDirectory(java.util.List.of()));
  }

  @Test
  void sameHostComparesHostAndEffectivePort() throws IOException {
    RegistryEndpoint e = upstream("reg.example.com");
    URI base = URI.create("https://reg.example.com");

    assertThat(e.isSameHost(URI.create("https://reg.example.com:443/v2/x"), base)).isTrue();
    assertThat(e.isSameHost(URI.create("https://REG.example.com/v2/x"), base)).isTrue();
    assertThat(e.isSameHost(URI.create("https://reg.example.com:8443/v2/x"), base)).isFalse();
    assertThat(e.isSameHost(URI.create("https://s3.amazonaws.com/bucket/blob"), base)).isFalse();
  }

  @Test
  void rootKeepsThePathWithEitherScheme() throws IOException {
    RegistryEndpoint e = upstream("127.0.0.1:5000");

    assertThat(e.root("http")).hasToString("http://127.0.0.1:5000/v2");
    assertThat(e.root("https")).hasToString("https://127.0.0.1:5000/v2");
    assertThat(e.tls().insecure()).isTrue(); // certificates go unchecked
    assertThat(upstream("ghcr.io").tls().insecure()).isFalse();
  }
}
