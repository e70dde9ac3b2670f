package dev.hoist.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate authority made with {@code openssl} for one test run: an EC P-256 CA, valid for two
 * days, that issues server certificates (with the names and addresses asked for) and client
 * certificates whose keys come in each PEM form docker's certs.d accepts. Everything is written
 * below the directory given; nothing is installed anywhere.
 */
public final class TestCa {
  /** The PEM forms a client key can take. */
  public enum KeyForm {
    /** {@code BEGIN PRIVATE KEY}, EC P-256. */
    PKCS8_EC,
    /** {@code BEGIN EC PRIVATE KEY} after an {@code EC PARAMETERS} block, as {@code openssl ecparam} writes. */
    SEC1_EC,
    /** {@code BEGIN RSA PRIVATE KEY}, 2048 bits. */
    PKCS1_RSA,
    /** {@code BEGIN PRIVATE KEY}, RSA 2048 bits. */
    PKCS8_RSA
  }

  /** A certificate (PEM) and its private key (PEM). */
  public record Issued(Path certificate, Path key) {}

  private static final String CONFIG =
      String.join("\n",
          "[req]",
          "distinguished_name = dn",
          "[dn]",
          "[ca]",
          "basicConstraints = critical,CA:TRUE",
          "keyUsage = critical,keyCertSign,cRLSign",
          "subjectKeyIdentifier = hash",
          "");

  private final Path dir;
  private int serial;

  private TestCa(Path dir) {
    this.dir = dir;
  }

  /** Creates a CA named {@code cn} in {@code dir} (created if needed). */
  public static TestCa create(Path dir, String cn) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("openssl.cnf"), CONFIG);
    TestCa ca = new TestCa(dir);
    ca.key(dir.resolve("ca.key"), KeyForm.PKCS8_EC);
    openssl(dir, "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=" + cn, "-days", "2",
        "-config", "openssl.cnf", "-extensions", "ca", "-out", "ca.crt");
    return ca;
  }

  /** The CA certificate (PEM), what a {@code certs.d/HOST/ca.crt} holds. */
  public Path certificate() {
    return dir.resolve("ca.crt");
  }

  /** A server certificate for {@code names} (DNS names) and {@code addresses} (IP addresses). */
  public Issued server(String label, List<String> names, List<String> addresses) throws IOException {
    List<String> alt = new ArrayList<>();
    names.forEach(n -> alt.add("DNS:" + n));
    addresses.forEach(a -> alt.add("IP:" + a));
    String extensions = String.join("\n",
        "basicConstraints = CA:FALSE",
        "keyUsage = critical,digitalSignature",
        "extendedKeyUsage = serverAuth",
        "subjectAltName = " + String.join(",", alt),
        "");
    return issue(label, names.isEmpty() ? addresses.get(0) : names.get(0), KeyForm.PKCS8_EC, extensions);
  }

  /** A client certificate with CN {@code cn}, its key in {@code form}. */
  public Issued client(String label, String cn, KeyForm form) throws IOException {
    String extensions = String.join("\n",
        "basicConstraints = CA:FALSE",
        "keyUsage = critical,digitalSignature" + (form.name().endsWith("RSA") ? ",keyEncipherment" : ""),
        "extendedKeyUsage = clientAuth",
        "");
    return issue(label, cn, form, extensions);
  }

  /** {@code issued} as a PKCS#12 key store with password {@code password}, for JDK servers. */
  public Path pkcs12(Issued issued, String password) throws IOException {
    Path out = issued.certificate().resolveSibling(issued.certificate().getFileName() + ".p12");
    openssl(dir, "pkcs12", "-export", "-in", issued.certificate().toString(), "-inkey",
        issued.key().toString(), "-name", "server", "-passout", "pass:" + password, "-out", out.toString());
    return out;
  }

  private synchronized Issued issue(String label, String cn, KeyForm form, String extensions)
      throws IOException {
    int n = ++serial;
    Path key = dir.resolve(label + ".key");
    Path csr = dir.resolve(label + ".csr");
    Path ext = dir.resolve(label + ".ext");
    Path cert = dir.resolve(label + ".crt");
    key(key, form);
    Files.writeString(ext, extensions);
    openssl(dir, "req", "-new", "-key", key.toString(), "-subj", "/CN=" + cn, "-config", "openssl.cnf",
        "-out", csr.toString());
    openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", "ca.crt", "-CAkey", "ca.key",
        "-set_serial", Integer.toString(1000 + n), "-days", "2", "-extfile", ext.toString(),
        "-out", cert.toString());
    return new Issued(cert, key);
  }

  private void key(Path out, KeyForm form) throws IOException {
    switch (form) {
      case PKCS8_EC -> openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-out", out.toString());
      case SEC1_EC -> openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", out.toString());
      case PKCS1_RSA -> openssl(dir, "genrsa", "-traditional", "-out", out.toString(), "2048");
      case PKCS8_RSA -> openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
          "-out", out.toString());
    }
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Tools.run(cmd, dir);
  }
}
