package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RealmHostsTest {
  @ParameterizedTest(name = "{0} may send credentials to {1}: {2}")
  @CsvSource({
    "registry-1.docker.io, auth.docker.io, true",
    "ghcr.io, ghcr.io, true",
    "myregistry.azurecr.io, myregistry.azurecr.io, true",
    "registry.example.com:5000, auth.example.com, true",
    "127.0.0.1:5000, 127.0.0.1, true",
    "[::1]:5000, ::1, true",
    "registry.example.com, evil.example.net, false",
    "registry.example.com, example.com.evil.net, false",
    "127.0.0.1:5000, localhost, false",
    "127.0.0.1:5000, 127.0.0.2, false",
    "localhost:5000, 127.0.0.1, false",
  })
  void sendsCredentialsOnlyToTheRegistrysOwnSite(String registry, String realm, boolean same) {
    assertThat(RealmHosts.sameSite(registry, realm)).isEqualTo(same);
  }
}
