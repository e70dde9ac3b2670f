package dev.hoist.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * docker's {@code certs.d} layout: under a root such as {@code /etc/docker/certs.d}, a directory
 * per registry named {@code host[:port]} as in image references, holding {@code *.crt} files (CA
 * certificates, trusted in addition to the system's) and {@code *.cert} files with a {@code *.key}
 * of the same name (a client certificate, possibly with its chain, and its private key). Other
 * files are ignored, as docker ignores them.
 *
 * <p>The first root holding a directory for the registry is the one read; the others are not
 * merged in.
 */
record CertsDirectory(List<Path> roots) {
  /** docker's directory, then containerd's (only its docker-style ca and client files). */
  static final List<Path> DEFAULT_ROOTS =
      List.of(Path.of("/etc/docker/certs.d"), Path.of("/etc/containerd/certs.d"));

  CertsDirectory {
    roots = List.copyOf(roots);
  }

  /** What a registry's directory holds. */
  record Contents(Path directory, List<X509Certificate> authorities, List<ClientIdentity> clients) {}

  /** A client certificate chain (leaf first) and its private key. */
  record ClientIdentity(String name, X509Certificate[] chain, PrivateKey key) {}

  /** The directory for {@code registry} ({@code host[:port]}), if a root has one. */
  Optional<Path> find(String registry) {
    if (registry.isEmpty() || registry.contains("/") || registry.startsWith(".")) {
      return Optional.empty();
    }
    for (Path root : roots) {
      Path dir = root.resolve(registry);
      if (Files.isDirectory(dir)) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /** Where hoist tells the user to put the files for {@code registry}. */
  Path suggested(String registry) {
    return (roots.isEmpty() ? DEFAULT_ROOTS.get(0) : roots.get(0)).resolve(registry);
  }

  /**
   * Reads a registry's directory. Fails, with docker's words where docker has them, on a client
   * certificate without its key (or the reverse), a file that holds no certificate or key, or a
   * key that does not belong to its certificate.
   */
  static Contents read(Path dir, String registry) throws TlsException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(Files::isRegularFile).forEach(f -> names.add(f.getFileName().toString()));
    } catch (IOException e) {
      throw error(dir, registry, "cannot read it: " + e.getMessage(), e);
    }
    List<X509Certificate> authorities = new ArrayList<>();
    List<ClientIdentity> clients = new ArrayList<>();
    for (String name : names) {
      if (name.endsWith(".crt")) {
        authorities.addAll(certificates(dir, registry, name));
      } else if (name.endsWith(".cert")) {
        String key = name.substring(0, name.length() - 5) + ".key";
        if (!names.contains(key)) {
          throw error(dir, registry, "missing key " + key + " for client certificate " + name
              + ". CA certificates must use the extension .crt", null);
        }
        clients.add(identity(dir, registry, name, key));
      } else if (name.endsWith(".key")) {
        String cert = name.substring(0, name.length() - 4) + ".cert";
        if (!names.contains(cert)) {
          throw error(dir, registry, "missing client certificate " + cert + " for key " + name, null);
        }
      }
    }
    return new Contents(dir, List.copyOf(authorities), List.copyOf(clients));
  }

  /**
   * {@code contents} (or nothing) plus the CA and client certificate files a {@code hosts.toml}
   * names; a client file without a key holds both certificate and key.
   */
  static Contents withFiles(
      Contents contents, List<Path> caFiles, List<dev.hoist.hosts.ClientCertificate> clientFiles,
      String registry) throws TlsException {
    List<X509Certificate> authorities = new ArrayList<>();
    List<ClientIdentity> clients = new ArrayList<>();
    Path dir = null;
    if (contents != null) {
      authorities.addAll(contents.authorities());
      clients.addAll(contents.clients());
      dir = contents.directory();
    }
    // A containerd hosts directory without hosts.toml may be the certs.d directory read above:
    // its files are in already.
    Path read = dir == null ? null : dir.toAbsolutePath().normalize();
    for (Path ca : caFiles) {
      Path absolute = ca.toAbsolutePath().normalize();
      if (!absolute.getParent().equals(read)) {
        authorities.addAll(certificates(absolute.getParent(), registry, absolute.getFileName().toString()));
      }
    }
    for (dev.hoist.hosts.ClientCertificate client : clientFiles) {
      Path cert = client.certificate().toAbsolutePath().normalize();
      Path key = client.key().orElse(client.certificate()).toAbsolutePath();
      if (!cert.getParent().equals(read)) {
        clients.add(identity(cert.getParent(), registry, cert.getFileName().toString(), key.toString()));
      }
    }
    return new Contents(dir, List.copyOf(authorities), List.copyOf(clients));
  }

  private static List<X509Certificate> certificates(Path dir, String registry, String name)
      throws TlsException {
    List<X509Certificate> certificates;
    try {
      certificates = Pem.certificates(Files.readAllBytes(dir.resolve(name)));
    } catch (IOException | GeneralSecurityException e) {
      throw error(dir, registry, name + ": " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw error(dir, registry, name + ": no PEM certificate in it", null);
    }
    return certificates;
  }

  private static ClientIdentity identity(Path dir, String registry, String certName, String keyName)
      throws TlsException {
    List<X509Certificate> chain = certificates(dir, registry, certName);
    PrivateKey key;
    try {
      key = Pem.privateKey(Files.readAllBytes(dir.resolve(keyName)));
    } catch (IOException | GeneralSecurityException e) {
      throw error(dir, registry, keyName + ": " + e.getMessage(), e);
    }
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw error(dir, registry, certName + " and " + keyName
          + ": tls: private key does not match public key", null);
    }
    return new ClientIdentity(certName, chain.toArray(X509Certificate[]::new), key);
  }

  /** Whether {@code key} signs what {@code publicKey} verifies: works for every key type. */
  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true; // let the TLS handshake judge keys we cannot test here
    }
    try {
      byte[] probe = "hoist certs.d key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static TlsException error(Path dir, String registry, String what, Exception cause) {
    return new TlsException("certificates for registry " + registry + " in " + dir + ": " + what,
        registry, cause);
  }
}
