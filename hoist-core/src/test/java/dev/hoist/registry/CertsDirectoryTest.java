package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.testing.TestCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docker's certs.d layout: which directory is read, what it may hold, and docker's errors. */
class CertsDirectoryTest {
  @TempDir static Path caDir;
  static TestCa ca;

  @TempDir Path root;

  @BeforeAll
  static void createCa() throws IOException {
    ca = TestCa.create(caDir, "hoist unit test CA");
  }

  private Path hostDir(String host) throws IOException {
    return Files.createDirectories(root.resolve(host));
  }

  @Test
  void theFirstRootWithADirectoryForTheRegistryWins(@TempDir Path other) throws IOException {
    Files.createDirectories(other.resolve("reg.corp:5000"));
    Path mine = hostDir("reg.corp:5000");
    CertsDirectory certs = new CertsDirectory(List.of(root, other));
    assertThat(certs.find("reg.corp:5000")).contains(mine);
    assertThat(new CertsDirectory(List.of(other.resolve("missing"), other)).find("reg.corp:5000"))
        .contains(other.resolve("reg.corp:5000"));
    assertThat(certs.find("reg.corp")).isEmpty();
    assertThat(certs.find("../etc")).isEmpty();
    assertThat(certs.suggested("reg.corp")).isEqualTo(root.resolve("reg.corp"));
    assertThat(new CertsDirectory(List.of()).suggested("reg.corp"))
        .isEqualTo(Path.of("/etc/docker/certs.d/reg.corp"));
  }

  @Test
  void crtFilesAreCaCertificatesAndOtherFilesAreIgnored() throws IOException {
    Path dir = hostDir("reg.corp");
    Files.copy(ca.certificate(), dir.resolve("ca.crt"));
    TestCa.Issued server = ca.server("bundle", List.of("reg.corp"), List.of());
    Files.writeString(dir.resolve("bundle.crt"),
        Files.readString(server.certificate()) + Files.readString(ca.certificate()));
    Files.writeString(dir.resolve("README"), "not a certificate");
    Files.createDirectories(dir.resolve("nested.crt"));
    CertsDirectory.Contents contents = CertsDirectory.read(dir, "reg.corp");
    assertThat(contents.authorities()).hasSize(3);
    assertThat(contents.clients()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TestCa.KeyForm.class)
  void aCertWithItsKeyIsAClientCertificateInEveryPemForm(TestCa.KeyForm form) throws IOException {
    Path dir = hostDir("reg.corp");
    TestCa.Issued client = ca.client("client-" + form, "hoist", form);
    Files.copy(client.certificate(), dir.resolve("client.cert"));
    Files.copy(client.key(), dir.resolve("client.key"));
    CertsDirectory.Contents contents = CertsDirectory.read(dir, "reg.corp");
    assertThat(contents.clients()).singleElement().satisfies(id -> {
      assertThat(id.name()).isEqualTo("client.cert");
      assertThat(id.key().getAlgorithm()).isEqualTo(form.name().endsWith("RSA") ? "RSA" : "EC");
      assertThat(id.chain()[0].getSubjectX500Principal().getName()).isEqualTo("CN=hoist");
    });
  }

  @Test
  void aCertWithoutItsKeyFailsWithDockersWords() throws IOException {
    Path dir = hostDir("reg.corp:5000");
    Files.copy(ca.certificate(), dir.resolve("ca.cert"));
    assertThatThrownBy(() -> CertsDirectory.read(dir, "reg.corp:5000"))
        .isInstanceOf(TlsException.class)
        .hasMessage("certificates for registry reg.corp:5000 in " + dir + ": missing key ca.key for"
            + " client certificate ca.cert. CA certificates must use the extension .crt");
  }

  @Test
  void aKeyWithoutItsCertFailsWithDockersWords() throws IOException {
    Path dir = hostDir("reg.corp");
    Files.copy(ca.client("lonely", "hoist", TestCa.KeyForm.PKCS8_EC).key(), dir.resolve("client.key"));
    assertThatThrownBy(() -> CertsDirectory.read(dir, "reg.corp"))
        .isInstanceOf(TlsException.class)
        .hasMessageEndingWith(": missing client certificate client.cert for key client.key");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws IOException {
    Path dir = hostDir("reg.corp");
    Files.copy(ca.client("one", "one", TestCa.KeyForm.PKCS8_EC).certificate(), dir.resolve("client.cert"));
    Files.copy(ca.client("two", "two", TestCa.KeyForm.PKCS8_EC).key(), dir.resolve("client.key"));
    assertThatThrownBy(() -> CertsDirectory.read(dir, "reg.corp"))
        .isInstanceOf(TlsException.class)
        .hasMessageEndingWith(": client.cert and client.key: tls: private key does not match public key");
  }

  @Test
  void filesWithoutPemDataAreRefused() throws IOException {
    Path dir = hostDir("reg.corp");
    Files.writeString(dir.resolve("ca.crt"), "garbage\n");
    assertThatThrownBy(() -> CertsDirectory.read(dir, "reg.corp"))
        .isInstanceOf(TlsException.class)
        .hasMessageEndingWith(": ca.crt: no PEM certificate in it");
    Files.delete(dir.resolve("ca.crt"));
    Files.copy(ca.certificate(), dir.resolve("client.cert"));
    Files.writeString(dir.resolve("client.key"), "garbage\n");
    assertThatThrownBy(() -> CertsDirectory.read(dir, "reg.corp"))
        .hasMessageEndingWith(": client.key: tls: failed to find any PEM data in key input");
  }

  @Test
  void encryptedKeysAreRefused() throws IOException {
    Path dir = hostDir("reg.corp");
    TestCa.Issued client = ca.client("locked", "hoist", TestCa.KeyForm.PKCS8_EC);
    Files.copy(client.certificate(), dir.resolve("client.cert"));
    Files.writeString(dir.resolve("client.key"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> CertsDirectory.read(dir, "reg.corp"))
        .hasMessageEndingWith(": client.key: encrypted private keys are not supported");
  }

  @Test
  void filesOfTheDirectoryAlreadyReadAreNotAddedTwice(@TempDir Path elsewhere) throws IOException {
    // A containerd hosts directory without hosts.toml names the same files as its certs.d reading.
    Path dir = hostDir("reg.corp");
    Files.copy(ca.certificate(), dir.resolve("ca.crt"));
    Files.copy(ca.certificate(), elsewhere.resolve("extra.crt"));
    CertsDirectory.Contents contents = CertsDirectory.read(dir, "reg.corp");

    CertsDirectory.Contents merged = CertsDirectory.withFiles(contents,
        List.of(dir.resolve("ca.crt"), elsewhere.resolve("extra.crt")), List.of(), "reg.corp");

    assertThat(contents.authorities()).hasSize(1);
    assertThat(merged.authorities()).hasSize(2);
  }
}
