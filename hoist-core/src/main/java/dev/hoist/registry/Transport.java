package dev.hoist.registry;

import dev.hoist.hosts.ClientCertificate;
import dev.hoist.internal.net.ProxyUrl;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP clients hoist talks through: one for plain HTTP, and one per distinct TLS set-up (a
 * registry's certs.d directory, insecure or not), each built on first use and shared by every
 * registry with that set-up. Requests go through the configured proxies, if any. Redirects are
 * never followed by the JDK: {@link RegistryClient} follows them itself so credentials stay with
 * the registry.
 */
final class Transport {
  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration stallTimeout;
  private final String userAgent;
  private final ProxyRules proxies;
  private final TlsContexts tls = new TlsContexts();
  private final Map<TlsKey, HttpClient> clients = new ConcurrentHashMap<>();
  private volatile HttpClient plain;

  /** What makes two registries' TLS set-ups the same. */
  private record TlsKey(
      boolean insecure, Path directory, List<Path> caFiles, List<ClientCertificate> clientFiles) {}

  /** {@code proxies} null: the JDK's default proxy selector (its {@code http.proxyHost} properties). */
  Transport(
      Duration connectTimeout, Duration requestTimeout, Duration stallTimeout, String userAgent,
      ProxyRules proxies) {
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.stallTimeout = stallTimeout;
    this.userAgent = userAgent;
    this.proxies = proxies;
  }

  private HttpClient.Builder builder() {
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_2);
    if (proxies != null) {
      b.proxy(proxies);
    }
    return b;
  }

  /**
   * A request builder with hoist's defaults: timeout, User-Agent, HTTP/1.1 for plain HTTP, and
   * the proxy's credentials when the request goes through a proxy that wants them.
   */
  HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).timeout(requestTimeout).header("User-Agent", userAgent);
    if ("http".equals(uri.getScheme())) {
      b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance with plain-HTTP registries
    }
    if (proxies != null) {
      // The JDK sends Proxy-* headers only to the proxy: never directly or through a tunnel.
      proxies.authorization(uri).ifPresent(a -> b.header("Proxy-Authorization", a));
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
    Optional<String> refusal = proxies == null ? Optional.empty() : proxies.refusal(request.uri());
    if (refusal.isPresent()) {
      throw new UnreachableRegistryException("cannot reach registry " + registry + ": "
          + refusal.get() + " (" + request.method() + " " + Redact.uri(request.uri()) + ")", registry, null);
    }
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
          "cannot reach registry " + registry + ": " + why + via(request) + " (" + request.method() + " "
              + Redact.uri(request.uri()) + ")",
          registry,
          e);
    } catch (IOException e) {
      if (isUnknownHost(e)) {
        throw new UnreachableRegistryException(
            "cannot reach registry " + registry + ": unknown host" + via(request) + " ("
                + request.method() + " " + Redact.uri(request.uri()) + ")", registry, e);
      }
      SSLException ssl = TlsFailures.cause(e, SSLException.class);
      if (ssl != null) {
        throw TlsFailures.of(ssl, request, tls);
      }
      throw unreachable(registry, request, describe(e), e);
    }
    if (response.statusCode() == 407) {
      response.body().close();
      throw new UnreachableRegistryException("cannot reach registry " + registry + ": the proxy"
          + proxyOf(request).map(p -> " " + p).orElse("") + " wants credentials or refused them"
          + " (HTTP 407 Proxy Authentication Required; " + request.method() + " "
          + Redact.uri(request.uri()) + ")", registry, null);
    }
    return response;
  }

  /** {@code " through proxy http://host:port"} when the request went through one, else empty. */
  private String via(HttpRequest request) {
    return proxyOf(request).map(p -> " through proxy " + p).orElse("");
  }

  private Optional<ProxyUrl> proxyOf(HttpRequest request) {
    try {
      return proxies == null ? Optional.empty() : proxies.proxyFor(request.uri());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private RegistryException unreachable(
      String registry, HttpRequest request, String why, Exception cause) {
    return new RegistryException(
        "cannot reach registry " + registry + ": " + why + via(request) + " (" + request.method() + " "
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

  /** Stops every client built so far; requests still running fail. */
  void close() {
    HttpClient p;
    synchronized (this) {
      p = plain;
    }
    if (p != null) {
      HttpClientShutdown.now(p);
    }
    clients.values().forEach(HttpClientShutdown::now);
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
            plain = builder()
                .sslContext(new NoTlsContext())
                .sslParameters(NoTlsContext.parameters())
                .build();
          }
          p = plain;
        }
      }
      return p;
    }
    TlsKey key = new TlsKey(
        tls.insecure(), tls.directory().orElse(null), tls.caFiles(), tls.clientFiles());
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
        if (!key.caFiles().isEmpty() || !key.clientFiles().isEmpty()) {
          contents = CertsDirectory.withFiles(contents, key.caFiles(), key.clientFiles(), tls.registry());
        }
        client = builder().sslContext(this.tls.context(key.insecure(), contents)).build();
        clients.put(key, client);
      }
      return client;
    }
  }
}
