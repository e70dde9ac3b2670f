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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP clients hoist talks through: one for plain HTTP, and one per distinct TLS set-up (a
 * registry's certs.d directory, insecure or not), each built on first use and shared by every
 * registry with that set-up. Redirects are never followed by the JDK: {@link RegistryClient}
 * follows them itself so credentials stay with the registry.
 */
final class Transport {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration stallTimeout;
  private final String userAgent;
  private final TlsContexts tls = new TlsContexts();
  private final Map<TlsKey, HttpClient> clients = new ConcurrentHashMap<>();
  private volatile HttpClient plain;

  /** What makes two registries' TLS set-ups the same. */
  private record TlsKey(boolean insecure, Path directory) {}

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
   * Sends {@code request} with the TLS set-up of {@code tls}. Transport failures become a {@link
   * RegistryException} naming the registry and what failed; TLS failures that another attempt
   * cannot mend, a {@link TlsException}.
   */
  HttpResponse<InputStream> send(HttpRequest request, RegistryTls tls) throws IOException {
    String registry = tls.registry();
    HttpClient client = client(request.uri(), tls); // a broken certs.d directory fails here
    HttpResponse<InputStream> response;
    try {
      response = client
          .send(request, BodyStream.handler(stallTimeout, request.method() + " " + Redact.uri(request.uri())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted: " + request.method() + " " + request.uri());
    } catch (SSLException e) {
      throw TlsFailures.of(e, request, tls);
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
            "cannot reach registry " + registry + ": unknown host" + " ("
                + request.method() + " " + Redact.uri(request.uri()) + ")", registry, e);
      }
      SSLException ssl = sslCause(e);
      if (ssl != null) {
        throw TlsFailures.of(ssl, request, tls);
      }
      throw unreachable(registry, request, describe(e), e);
    }
    return response;
  }

  private static SSLException sslCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException ssl) {
        return ssl;
      }
    }
    return null;
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
   * The client for a request, each built on first use: a verifying one loads the system trust
   * store (about 0.4 s), which a pull from a plain-HTTP registry on loopback should not pay.
   */
  private HttpClient client(URI uri, RegistryTls tls) throws TlsException {
    if ("http".equals(uri.getScheme())) {
      HttpClient p = plain;
      if (p == null) {
        synchronized (this) {
          if (plain == null) {
            plain = builder().sslContext(TlsContexts.refuseAll()).build(); // never used for TLS
          }
          p = plain;
        }
      }
      return p;
    }
    TlsKey key = new TlsKey(tls.insecure(), tls.directory().orElse(null));
    HttpClient client = clients.get(key);
    if (client != null) {
      return client;
    }
    synchronized (this) {
      client = clients.get(key);
      if (client == null) {
        CertsDirectory.Contents contents = null;
        if (key.directory() != null) {
          contents = CertsDirectory.read(key.directory(), tls.registry());
          log.debug("TLS for {}: {} CA certificates and {} client certificates from {}", tls.registry(),
              contents.authorities().size(), contents.clients().size(), key.directory());
        }
        client = builder().sslContext(this.tls.context(key.insecure(), contents)).build();
        clients.put(key, client);
      }
      return client;
    }
  }
}
