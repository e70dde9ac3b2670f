package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.registry.ProxySettings;
import dev.hoist.registry.UnreachableRegistryException;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.MachineName;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestCa;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tinyproxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pulls through a real HTTP proxy ({@code tinyproxy}), whose log shows what it relayed. Go's rules,
 * which hoist follows, never proxy {@code localhost} or loopback addresses, so the registries are
 * reached by this machine's host name ({@link MachineName}): a name, which is judged by its
 * spelling and so is proxied, although it resolves to an address of this machine.
 */
class ProxyPullIT {
  @TempDir static Path work;
  static OciLayoutImage image;
  static MachineName machine;
  static TestCa ca;
  static Tinyproxy proxy;
  static LocalRegistry plain;
  static LocalRegistry tls;
  static String plainHost;
  static String tlsHost;
  static Path certs;

  @BeforeAll
  static void setUp() throws IOException {
    machine = MachineName.find();
    ca = TestCa.create(work.resolve("ca"), "hoist proxy test CA");
    image = TestImages.multiLayer(work.resolve("fixtures"));
    proxy = Tinyproxy.start();
    plain = LocalRegistry.anonymousOn(machine.address());
    plain.push(image, "plain/app", "v1");
    plainHost = plain.host(machine.name());
    tls = LocalRegistry.withTls(ca, machine.address(), List.of(machine.name()));
    tls.push(image, "tls/app", "v1");
    tlsHost = tls.host(machine.name());
    certs = work.resolve("certs.d");
    Files.createDirectories(certs.resolve(tlsHost));
    Files.copy(ca.certificate(), certs.resolve(tlsHost).resolve("ca.crt"));
  }

  @AfterAll
  static void tearDown() throws IOException {
    try (Tinyproxy p = proxy; LocalRegistry r = plain; LocalRegistry t = tls) {
      // closed in reverse order, each even when another fails
    }
  }

  /** A hoist for the plain-HTTP registry (insecure, as plain HTTP by name must be) and the TLS one. */
  private static Hoist hoist(Path store, ProxySettings proxies) throws IOException {
    return Hoist.builder()
        .store(store)
        .credentials(CredentialProvider.anonymous())
        .insecureRegistries(List.of(plainHost))
        .certsDirectories(List.of(certs))
        .proxies(proxies)
        .build();
  }

  /** What the proxy relayed while {@code pull} ran. */
  private static List<String> relayed(Tinyproxy through, IoAction pull) throws IOException {
    int before = through.requests().size();
    pull.run();
    List<String> all = through.requests();
    return all.subList(before, all.size());
  }

  private interface IoAction {
    void run() throws IOException;
  }

  @Test
  void plainHttpPullsGoThroughTheProxy(@TempDir Path store) throws IOException {
    ProxySettings proxies = new ProxySettings(proxy.url(), proxy.url(), "");
    try (Hoist hoist = hoist(store, proxies)) {
      List<String> relayed = relayed(proxy, () ->
          assertThat(hoist.pull(plainHost + "/plain/app:v1").digest()).hasToString(image.manifestDigest()));
      String base = "GET http://" + plainHost + "/v2/";
      assertThat(relayed).as(proxy.log())
          .contains("CONNECT " + plainHost, base) // HTTPS first, then plain HTTP: it is insecure
          .anyMatch(r -> r.startsWith(base + "plain/app/manifests/"));
      for (String layer : image.layerDigests()) {
        assertThat(relayed).contains(base + "plain/app/blobs/" + layer);
      }
    }
  }

  @Test
  void httpsPullsTunnelThroughTheProxy(@TempDir Path store) throws IOException {
    ProxySettings proxies = new ProxySettings("", proxy.url(), "");
    try (Hoist hoist = hoist(store, proxies)) {
      List<String> relayed = relayed(proxy, () ->
          assertThat(hoist.pull(tlsHost + "/tls/app:v1").digest()).hasToString(image.manifestDigest()));
      assertThat(relayed).as(proxy.log()).isNotEmpty().allMatch(r -> r.equals("CONNECT " + tlsHost));
    }
  }

  @ParameterizedTest(name = "NO_PROXY={0}: proxied {1}")
  @CsvSource({
    "NAME, false",
    "NAME:PORT, false",
    "'other.example, NAME', false",
    "*, false",
    ".NAME, true",
    "NAME:1, true",
    "127.0.0.0/8, true",
  })
  void noProxyDecidesWhichRegistriesBypassTheProxy(String noProxy, boolean proxied, @TempDir Path store)
      throws IOException {
    String list = noProxy.replace("NAME", machine.name()).replace("PORT", Integer.toString(tls.port()));
    ProxySettings proxies = new ProxySettings(proxy.url(), proxy.url(), list);
    try (Hoist hoist = hoist(store, proxies)) {
      List<String> relayed = relayed(proxy, () ->
          assertThat(hoist.pull(tlsHost + "/tls/app:v1").digest()).hasToString(image.manifestDigest()));
      assertThat(relayed.isEmpty()).as(String.join("\n", relayed)).isEqualTo(!proxied);
    }
  }

  @Test
  void loopbackRegistriesAreNeverProxied(@TempDir Path store) throws IOException {
    try (LocalRegistry loopback = LocalRegistry.anonymous()) {
      loopback.push(image, "local/app", "v1");
      ProxySettings proxies = new ProxySettings(proxy.url(), proxy.url(), "");
      try (Hoist hoist = hoist(store, proxies)) {
        assertThat(relayed(proxy, () -> hoist.pull(loopback.host() + "/local/app:v1"))).isEmpty();
      }
    }
  }

  @Test
  void aProxyPasswordIsSentToTheProxyForPlainHttp(@TempDir Path store) throws IOException {
    try (Tinyproxy guarded = Tinyproxy.start("hoist", "s3cret")) {
      // HTTPS goes directly (and fails against the plain registry), plain HTTP through the proxy.
      ProxySettings proxies = new ProxySettings(guarded.url("hoist", "s3cret"), "", "");
      try (Hoist hoist = hoist(store, proxies)) {
        List<String> relayed = relayed(guarded, () ->
            assertThat(hoist.pull(plainHost + "/plain/app:v1").digest()).hasToString(image.manifestDigest()));
        assertThat(relayed).as(guarded.log()).contains("GET http://" + plainHost + "/v2/");
      }
    }
  }

  @Test
  void aProxyThatWantsAPasswordFailsThePullNamingTheProxy(@TempDir Path store) throws IOException {
    // tinyproxy answers a missing password with 407 (and a wrong one, oddly, with 401).
    try (Tinyproxy guarded = Tinyproxy.start("hoist", "s3cret")) {
      ProxySettings proxies = new ProxySettings(guarded.url(), "", "");
      try (Hoist hoist = hoist(store, proxies)) {
        assertThatThrownBy(() -> hoist.pull(plainHost + "/plain/app:v1"))
            .isInstanceOf(UnreachableRegistryException.class)
            .hasMessage("cannot reach registry " + plainHost + ": the proxy " + guarded.url()
                + " wants credentials or refused them (HTTP 407 Proxy Authentication Required; GET http://"
                + plainHost + "/v2/)");
      }
    }
  }

  @Test
  void aProxyPasswordForHttpsTunnelsNeedsTheJdkToAllowBasic(@TempDir Path store) throws IOException {
    // This JVM runs with the JDK's default, which keeps Basic credentials out of CONNECT requests;
    // the command line allows them (see the CLI's ProxyCommandIT).
    try (Tinyproxy guarded = Tinyproxy.start("hoist", "s3cret")) {
      ProxySettings proxies = new ProxySettings("", guarded.url("hoist", "s3cret"), "");
      try (Hoist hoist = hoist(store, proxies)) {
        assertThat(relayed(guarded, () ->
            assertThatThrownBy(() -> hoist.pull(tlsHost + "/tls/app:v1"))
                .isInstanceOf(UnreachableRegistryException.class)
                .hasMessageContaining("the proxy " + guarded.url() + " takes a password, but this JVM does"
                    + " not send Basic credentials to proxies for HTTPS tunnels"
                    + " (jdk.http.auth.tunneling.disabledSchemes lists Basic;")
                .hasMessageNotContaining("s3cret")))
            .isEmpty();
      }
    }
  }
}
