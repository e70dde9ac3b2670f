package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.registry.ProxySettings;
import dev.hoist.registry.RegistryException;
import dev.hoist.registry.TlsException;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.MachineName;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestCa;
import dev.hoist.testing.TestImages;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pulls from real registries serving TLS with a CA the test makes: trusted only through a certs.d
 * directory given to hoist, and one that wants client certificates. The registries are reached by
 * this machine's host name ({@link MachineName}), which hoist, as docker, does not treat as
 * loopback: loopback registries are insecure and their TLS is never verified.
 */
class TlsPullIT {
  @TempDir static Path work;
  static OciLayoutImage image;
  static MachineName machine;
  static TestCa ca;

  @BeforeAll
  static void setUp() throws IOException {
    machine = MachineName.find();
    ca = TestCa.create(work.resolve("ca"), "hoist test CA");
    image = TestImages.multiLayer(work.resolve("fixtures"));
  }

  static Hoist.Builder hoist(Path store, Path certsDir) {
    return Hoist.builder()
        .store(store)
        .credentials(CredentialProvider.anonymous())
        .proxies(ProxySettings.NONE)
        .certsDirectories(List.of(certsDir));
  }

  /** A certs.d root holding, for {@code host}, the given files under the given names. */
  static Path certsDir(Path root, String host, Path... namesAndFiles) throws IOException {
    Path dir = Files.createDirectories(root.resolve(host));
    for (int i = 0; i < namesAndFiles.length; i += 2) {
      Files.copy(namesAndFiles[i + 1], dir.resolve(namesAndFiles[i].toString()));
    }
    return root;
  }

  /**
   * The registry by its address, which must be loopback (Debian maps the host name to 127.0.1.1,
   * this test's machine may to 127.0.0.1); the test is skipped where it is not.
   */
  static String loopback(LocalRegistry registry) throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.net.InetAddress.getByName(machine.address()).isLoopbackAddress(),
        "the host name resolves to " + machine.address() + ", which is not loopback");
    return registry.host();
  }

  static void assertStoreUntouched(Path store) throws IOException {
    assertThat(Files.readString(store.resolve("index.json"))).contains("\"manifests\":[]");
    assertThat(store.resolve("blobs/sha256")).isEmptyDirectory();
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ServerCertificate {
    LocalRegistry registry;
    String host;

    @BeforeAll
    void start() throws IOException {
      registry = LocalRegistry.withTls(ca, machine.address(), List.of(machine.name()));
      registry.push(image, "tls/app", "v1");
      host = registry.host(machine.name());
    }

    @AfterAll
    void stop() throws IOException {
      registry.close();
    }

    @Test
    void pullsWhenAHostsTomlNamesTheCa(@TempDir Path store, @TempDir Path certs, @TempDir Path hostsDir)
        throws IOException {
      Path dir = Files.createDirectories(hostsDir.resolve(host));
      Files.writeString(dir.resolve("hosts.toml"),
          "server = \"https://" + host + "\"\nca = \"" + ca.certificate() + "\"\n");
      try (Hoist hoist = hoist(store, certs).hostsDirectory(hostsDir).build()) {
        assertThat(hoist.pull(host + "/tls/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }

    @Test
    void pullsWhenTheCaIsInACertsDirectory(@TempDir Path store, @TempDir Path certs) throws IOException {
      try (Hoist hoist = hoist(store, certsDir(certs, host, Path.of("ca.crt"), ca.certificate())).build()) {
        assertThat(hoist.pull(host + "/tls/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }

    @Test
    void withoutTheCaFailsWithTheCertificateErrorNamingTheHost(@TempDir Path store, @TempDir Path certs)
        throws IOException {
      try (Hoist hoist = hoist(store, certs).build()) {
        assertThatThrownBy(() -> hoist.pull(host + "/tls/app:v1"))
            .isInstanceOf(TlsException.class)
            .hasMessage("Get \"https://" + host + "/v2/\": tls: failed to verify certificate: x509:"
                + " certificate signed by unknown authority (to trust registry " + host + ", add its"
                + " CA certificate to " + certs.resolve(host) + "/ca.crt, or mark it insecure)");
      }
      assertStoreUntouched(store);
    }

    @Test
    void aClientCertificateWithoutItsKeyFailsWithDockersWords(@TempDir Path store, @TempDir Path certs)
        throws IOException {
      certsDir(certs, host, Path.of("ca.crt"), ca.certificate(), Path.of("client.cert"), ca.certificate());
      try (Hoist hoist = hoist(store, certs).build()) {
        assertThatThrownBy(() -> hoist.pull(host + "/tls/app:v1"))
            .isInstanceOf(TlsException.class)
            .hasMessageEndingWith("missing key client.key for client certificate client.cert."
                + " CA certificates must use the extension .crt");
      }
    }

    @Test
    void anInsecureRegistryIsNotVerified(@TempDir Path store, @TempDir Path certs) throws IOException {
      try (Hoist hoist = hoist(store, certs).insecureRegistries(List.of(host)).build()) {
        assertThat(hoist.pull(host + "/tls/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }

    @Test
    void aLoopbackRegistryIsInsecureAsInDocker(@TempDir Path store, @TempDir Path certs) throws IOException {
      try (Hoist hoist = hoist(store, certs).build()) {
        String loopback = loopback(registry);
        assertThat(hoist.pull(loopback + "/tls/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ClientCertificates {
    LocalRegistry registry;
    String host;

    @BeforeAll
    void start() throws IOException {
      registry = LocalRegistry.withClientCertificates(ca, machine.address(), List.of(machine.name()));
      registry.push(image, "mtls/app", "v1");
      host = registry.host(machine.name());
    }

    @AfterAll
    void stop() throws IOException {
      registry.close();
    }

    @ParameterizedTest
    @EnumSource(TestCa.KeyForm.class)
    void pullsWithTheClientCertificateAndKey(TestCa.KeyForm form, @TempDir Path store, @TempDir Path certs)
        throws IOException {
      TestCa.Issued client = ca.client("hoist-" + form, "hoist", form);
      certsDir(certs, host, Path.of("ca.crt"), ca.certificate(),
          Path.of("client.cert"), client.certificate(), Path.of("client.key"), client.key());
      try (Hoist hoist = hoist(store, certs).build()) {
        assertThat(hoist.pull(host + "/mtls/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }

    @Test
    void pullsWithTheClientCertificateAHostsTomlNames(
        @TempDir Path store, @TempDir Path certs, @TempDir Path hostsDir) throws IOException {
      TestCa.Issued client = ca.client("hoist-hosts-toml", "hoist", TestCa.KeyForm.values()[0]);
      Path dir = Files.createDirectories(hostsDir.resolve(host));
      Files.writeString(dir.resolve("hosts.toml"), "server = \"https://" + host + "\"\n"
          + "ca = \"" + ca.certificate() + "\"\n"
          + "client = [[\"" + client.certificate() + "\", \"" + client.key() + "\"]]\n");
      try (Hoist hoist = hoist(store, certs).hostsDirectory(hostsDir).build()) {
        assertThat(hoist.pull(host + "/mtls/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }

    @Test
    void withoutAClientCertificateFailsSayingWhereToPutIt(@TempDir Path store, @TempDir Path certs)
        throws IOException {
      certsDir(certs, host, Path.of("ca.crt"), ca.certificate());
      try (Hoist hoist = hoist(store, certs).build()) {
        assertThatThrownBy(() -> hoist.pull(host + "/mtls/app:v1"))
            .isInstanceOf(RegistryException.class)
            .hasMessageStartingWith("Get \"https://" + host + "/v2/\": remote error: tls: ")
            .hasMessageEndingWith("(registry " + host + " wants a client certificate: put it and its key in "
                + certs.resolve(host) + "/client.cert and " + certs.resolve(host) + "/client.key)");
      }
      assertStoreUntouched(store);
    }

    @Test
    void aLoopbackRegistryStillGetsItsClientCertificate(@TempDir Path store, @TempDir Path certs)
        throws IOException {
      // Loopback TLS is not verified, so no CA is needed, but the client certificate is sent.
      String loopback = loopback(registry);
      TestCa.Issued client = ca.client("loopback", "hoist", TestCa.KeyForm.PKCS8_EC);
      certsDir(certs, loopback, Path.of("client.cert"), client.certificate(), Path.of("client.key"), client.key());
      try (Hoist hoist = hoist(store, certs).build()) {
        assertThat(hoist.pull(loopback + "/mtls/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }
  }

  /**
   * Plain HTTP is used only for registries marked insecure: neither an https-to-http redirect nor a
   * fallback after a failed TLS handshake may downgrade a secure one.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Downgrade {
    LocalRegistry plain;
    HttpsServer redirector;
    String redirectingHost;
    LocalRegistry plainByName;
    String plainHost;

    @BeforeAll
    void start() throws Exception {
      plain = LocalRegistry.anonymous();
      plain.push(image, "down/app", "v1");
      TestCa.Issued cert = ca.server("redirector", List.of(machine.name()), List.of(machine.address()));
      redirector = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(machine.address()), 0), 0);
      redirector.setHttpsConfigurator(new HttpsConfigurator(sslContext(ca.pkcs12(cert, "hoist"), "hoist")));
      redirector.createContext("/", this::redirect);
      redirector.start();
      redirectingHost = machine.name() + ":" + redirector.getAddress().getPort();
      plainByName = LocalRegistry.anonymousOn(machine.address());
      plainByName.push(image, "plain/app", "v1");
      plainHost = plainByName.host(machine.name());
    }

    /** Answers the ping itself and sends everything else to the plain-HTTP registry. */
    private void redirect(HttpExchange exchange) throws IOException {
      try (exchange) {
        if (exchange.getRequestURI().getPath().equals("/v2/")) {
          exchange.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
          exchange.sendResponseHeaders(200, -1);
          return;
        }
        exchange.getResponseHeaders().add("Location", plain.baseUri() + exchange.getRequestURI().toString());
        exchange.sendResponseHeaders(307, -1);
      }
    }

    @AfterAll
    void stop() throws IOException {
      redirector.stop(0);
      plain.close();
      plainByName.close();
    }

    @Test
    void aSecureRegistryMayNotRedirectToPlainHttp(@TempDir Path store, @TempDir Path certs) throws IOException {
      try (Hoist hoist = hoist(store, certsDir(certs, redirectingHost, Path.of("ca.crt"), ca.certificate())).build()) {
        assertThatThrownBy(() -> hoist.pull(redirectingHost + "/down/app:v1"))
            .isInstanceOf(RegistryException.class)
            .hasMessageStartingWith("refusing redirect from https to http (" + plain.baseUri())
            .hasMessageEndingWith("from registry " + redirectingHost
                + ": only registries marked insecure may send hoist to plain HTTP");
      }
      assertStoreUntouched(store);
    }

    @Test
    void anInsecureRegistryMayRedirectToPlainHttp(@TempDir Path store, @TempDir Path certs) throws IOException {
      try (Hoist hoist = hoist(store, certs).insecureRegistries(List.of(redirectingHost)).build()) {
        assertThat(hoist.pull(redirectingHost + "/down/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }

    @Test
    void aSecureRegistryDoesNotFallBackToPlainHttp(@TempDir Path store, @TempDir Path certs) throws IOException {
      try (Hoist hoist = hoist(store, certs).build()) {
        assertThatThrownBy(() -> hoist.pull(plainHost + "/plain/app:v1"))
            .isInstanceOf(TlsException.class)
            .hasMessage("Get \"https://" + plainHost + "/v2/\": http: server gave HTTP response to HTTPS"
                + " client (if registry " + plainHost + " serves plain HTTP, mark it insecure)");
      }
      assertStoreUntouched(store);
    }

    @Test
    void anInsecureRegistryFallsBackToPlainHttp(@TempDir Path store, @TempDir Path certs) throws IOException {
      try (Hoist hoist = hoist(store, certs).insecureRegistries(List.of(plainHost)).build()) {
        assertThat(hoist.pull(plainHost + "/plain/app:v1").digest()).hasToString(image.manifestDigest());
      }
    }
  }

  static SSLContext sslContext(Path pkcs12, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(pkcs12)) {
      store.load(in, password.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }
}
