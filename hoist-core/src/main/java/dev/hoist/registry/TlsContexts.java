package dev.hoist.registry;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the TLS contexts of hoist's HTTP clients: the system trust store plus a registry's own CA
 * certificates, or no verification at all for a registry marked insecure, and its client
 * certificates either way. The system trust store is loaded once, on first use (about 0.4 s: the
 * JDK parses every CA certificate), so pulls that never verify TLS never pay for it. Thread-safe.
 */
final class TlsContexts {
  private volatile X509ExtendedTrustManager system;

  /**
   * A context for one registry's TLS: verified against the system's CAs and {@code contents}'
   * (unless {@code insecure}), presenting {@code contents}' client certificates when asked.
   */
  SSLContext context(boolean insecure, CertsDirectory.Contents contents) {
    List<X509Certificate> authorities = contents == null ? List.of() : contents.authorities();
    List<CertsDirectory.ClientIdentity> clients = contents == null ? List.of() : contents.clients();
    X509ExtendedTrustManager trust =
        insecure ? TRUST_ALL : new AddedTrust(systemTrust(), authorities.isEmpty() ? null : trustOnly(authorities));
    KeyManager[] keys = clients.isEmpty() ? new KeyManager[0] : new KeyManager[] {new ClientKeys(clients)};
    return context(keys, trust);
  }

  private X509ExtendedTrustManager systemTrust() {
    X509ExtendedTrustManager s = system;
    if (s == null) {
      synchronized (this) {
        if (system == null) {
          system = trustManager(null);
        }
        s = system;
      }
    }
    return s;
  }

  private static X509ExtendedTrustManager trustOnly(List<X509Certificate> authorities) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        store.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      return trustManager(store);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a trust store of " + authorities.size() + " CAs", e);
    }
  }

  private static X509ExtendedTrustManager trustManager(KeyStore store) {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager m : factory.getTrustManagers()) {
        if (m instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the system trust store", e);
    }
  }

  private static SSLContext context(KeyManager[] keys, TrustManager trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, new TrustManager[] {trust}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
  }

  /**
   * The system's CAs plus a registry's own: a chain one of them accepts is trusted (host names are
   * checked by both, as the client asks). When both refuse, the registry's own reason wins unless
   * it is only "unknown CA", which says less than the system's.
   */
  private static final class AddedTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager system;
    private final X509ExtendedTrustManager added;

    AddedTrust(X509ExtendedTrustManager system, X509ExtendedTrustManager added) {
      this.system = system;
      this.added = added;
    }

    private interface Check {
      void run(X509ExtendedTrustManager m) throws CertificateException;
    }

    private void either(Check check) throws CertificateException {
      try {
        check.run(system);
      } catch (CertificateException e) {
        if (added == null) {
          throw e;
        }
        try {
          check.run(added);
        } catch (CertificateException second) {
          throw unknownAuthority(second) ? e : second;
        }
      }
    }

    private static boolean unknownAuthority(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof CertPathBuilderException) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      either(m -> m.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("hoist is a client: no client certificates to check");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("hoist is a client: no client certificates to check");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("hoist is a client: no client certificates to check");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      X509Certificate[] own = system.getAcceptedIssuers();
      if (added == null) {
        return own;
      }
      X509Certificate[] more = added.getAcceptedIssuers();
      X509Certificate[] all = Arrays.copyOf(own, own.length + more.length);
      System.arraycopy(more, 0, all, own.length, more.length);
      return all;
    }
  }

  /**
   * Offers a registry's client certificates: the first whose key suits the handshake, preferring
   * one issued by a CA the server names. Unlike the JDK's key manager it does not insist on
   * extended key usage or on the server's CA list; the server decides, as with docker.
   */
  private static final class ClientKeys extends X509ExtendedKeyManager {
    private final List<CertsDirectory.ClientIdentity> identities;

    ClientKeys(List<CertsDirectory.ClientIdentity> identities) {
      this.identities = identities;
    }

    private String choose(String[] keyTypes, Principal[] issuers) {
      String fallback = null;
      for (CertsDirectory.ClientIdentity id : identities) {
        if (!suits(id.key(), keyTypes)) {
          continue;
        }
        if (issuers == null || issuers.length == 0 || issuedByOneOf(id.chain(), issuers)) {
          return id.name();
        }
        if (fallback == null) {
          fallback = id.name();
        }
      }
      return fallback;
    }

    private static boolean suits(PrivateKey key, String[] keyTypes) {
      String algorithm = key.getAlgorithm();
      for (String type : keyTypes) {
        if (type.equalsIgnoreCase(algorithm)
            || (algorithm.equals("EdDSA") && type.equalsIgnoreCase("Ed25519"))
            || (algorithm.equals("Ed25519") && type.equalsIgnoreCase("EdDSA"))) {
          return true;
        }
      }
      return false;
    }

    private static boolean issuedByOneOf(X509Certificate[] chain, Principal[] issuers) {
      for (X509Certificate c : chain) {
        for (Principal issuer : issuers) {
          if (c.getIssuerX500Principal().equals(issuer)) {
            return true;
          }
        }
      }
      return false;
    }

    private CertsDirectory.ClientIdentity identity(String alias) {
      for (CertsDirectory.ClientIdentity id : identities) {
        if (id.name().equals(alias)) {
          return id;
        }
      }
      return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return choose(keyTypes, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return choose(keyTypes, issuers);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return identities.stream()
          .filter(id -> suits(id.key(), new String[] {keyType}))
          .map(CertsDirectory.ClientIdentity::name)
          .toArray(String[]::new);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      CertsDirectory.ClientIdentity id = identity(alias);
      return id == null ? null : id.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      CertsDirectory.ClientIdentity id = identity(alias);
      return id == null ? null : id.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  /** TLS without certificate or host-name checks, for registries the user named insecure. */
  private static final X509ExtendedTrustManager TRUST_ALL = new X509ExtendedTrustManager() {
    @Override
    public void checkClientTrusted(X509Certificate[] c, String a) {}

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a) {}

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  };
}
