package dev.hoist.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The two HTTP clients hoist talks through: one that verifies TLS against the system trust store,
 * and one, built only when a registry is insecure, that does not. Redirects are never followed by
 * the JDK: {@link RegistryClient} follows them itself so credentials stay with the registry.
 */
final class Transport {
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration stallTimeout;
  private final String userAgent;
  private volatile HttpClient verified;
  private volatile HttpClient unverified;
  private volatile HttpClient plain;

  Transport(Duration connectTimeout, Duration requestTimeout, Duration stallTimeout, String userAgent) {
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.stallTimeout = stallTimeout;
    this.userAgent = userAgent;
  }

  private HttpClient.Builder builder() {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_2);
  }

  /** A request builder with hoist's defaults: timeout, User-Agent, HTTP/1.1 for plain HTTP. */
  HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).timeout(requestTimeout).header("User-Agent", userAgent);
    if ("http".equals(uri.getScheme())) {
      b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance with plain-HTTP registries
    }
    return b;
  }

  /**
   * Sends {@code request}; {@code insecure} skips TLS verification. Transport failures become a
   * {@link RegistryException} naming the registry and what failed.
   */
  HttpResponse<InputStream> send(HttpRequest request, boolean insecure, String registry)
      throws IOException {
    try {
      return client(request.uri(), insecure)
          .send(request, BodyStream.handler(stallTimeout, request.method() + " " + Redact.uri(request.uri())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted: " + request.method() + " " + request.uri());
    } catch (SSLException e) {
      throw e; // the caller decides whether plain HTTP is allowed
    } catch (HttpConnectTimeoutException e) {
      throw unreachable(registry, request, "connection timed out", e);
    } catch (HttpTimeoutException e) {
      throw unreachable(registry, request, "no response within " + requestTimeout.toSeconds() + " s", e);
    } catch (ConnectException e) {
      String why = isUnknownHost(e) ? "unknown host" : "connection refused";
      throw new UnreachableRegistryException(
          "cannot reach registry " + registry + ": " + why + " (" + request.method() + " "
              + Redact.uri(request.uri()) + ")",
          registry,
          e);
    } catch (IOException e) {
      if (isUnknownHost(e)) {
        throw new UnreachableRegistryException(
            "cannot reach registry " + registry + ": unknown host (" + request.method() + " "
                + Redact.uri(request.uri()) + ")", registry, e);
      }
      throw unreachable(registry, request, describe(e), e);
    }
  }

  private static RegistryException unreachable(
      String registry, HttpRequest request, String why, Exception cause) {
    return new RegistryException(
        "cannot reach registry " + registry + ": " + why + " (" + request.method() + " "
            + Redact.uri(request.uri()) + ")",
        registry,
        cause);
  }

  private static String describe(IOException e) {
    if (isUnknownHost(e)) {
      return "unknown host";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private static boolean isUnknownHost(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.nio.channels.UnresolvedAddressException
          || t instanceof java.net.UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client for a request, each built on first use: building one with the system trust store
   * costs about 0.4 s (the JDK parses every CA certificate), which a pull from a plain-HTTP
   * registry on loopback should not pay.
   */
  private synchronized HttpClient client(URI uri, boolean insecure) {
    if ("http".equals(uri.getScheme())) {
      if (plain == null) {
        plain = builder().sslContext(context(REFUSE_ALL)).build(); // never used for TLS
      }
      return plain;
    }
    if (insecure) {
      if (unverified == null) {
        unverified = builder().sslContext(context(TRUST_ALL)).build();
      }
      return unverified;
    }
    if (verified == null) {
      verified = builder().build();
    }
    return verified;
  }

  /** TLS without certificate or host-name checks, for registries the user named insecure. */
  private static final X509ExtendedTrustManager TRUST_ALL = trustManager(true);

  /** A client for plain HTTP needs a TLS context; this one accepts no server at all. */
  private static final X509ExtendedTrustManager REFUSE_ALL = trustManager(false);

  private static X509ExtendedTrustManager trustManager(boolean trust) {
    return new X509ExtendedTrustManager() {
      private void check() throws java.security.cert.CertificateException {
        if (!trust) {
          throw new java.security.cert.CertificateException("plain-HTTP client: no TLS");
        }
      }

      @Override
      public void checkClientTrusted(X509Certificate[] c, String a) throws java.security.cert.CertificateException {
        check();
      }

      @Override
      public void checkServerTrusted(X509Certificate[] c, String a) throws java.security.cert.CertificateException {
        check();
      }

      @Override
      public void checkClientTrusted(X509Certificate[] c, String a, java.net.Socket s) throws java.security.cert.CertificateException {
        check();
      }

      @Override
      public void checkServerTrusted(X509Certificate[] c, String a, java.net.Socket s) throws java.security.cert.CertificateException {
        check();
      }

      @Override
      public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws java.security.cert.CertificateException {
        check();
      }

      @Override
      public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws java.security.cert.CertificateException {
        check();
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
  }

  private static SSLContext context(TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new javax.net.ssl.KeyManager[0], new TrustManager[] {trustManager}, new SecureRandom());
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
  }
}
