package dev.hoist.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A plain-HTTP reverse proxy on a free loopback port that records every request ({@link
 * #requests()}: method, URI with query, headers) and relays it to a backend, such as a {@link
 * LocalRegistry}, byte for byte: to see what a client sends a registry, which the registry's log
 * does not tell (its {@code Authorization} header). Redirects are relayed, not followed.
 *
 * <p>{@link #failWith} makes it answer every request with a status of its own instead, as a
 * broken mirror would; a backend that cannot be reached gets 502.
 */
public final class RecordingProxy implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive");

  private final URI backend;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private volatile int failWith;

  private RecordingProxy(URI backend) throws IOException {
    this.backend = backend;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.createContext("/", this::relay);
    server.setExecutor(executor);
    server.start();
  }

  /** Starts relaying to {@code backend} ({@code http://host:port}). */
  public static RecordingProxy to(URI backend) throws IOException {
    return new RecordingProxy(backend);
  }

  /** {@code 127.0.0.1:PORT}. */
  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request received so far, in order. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Answers every request from now on with {@code status} (and an empty JSON error list); 0 relays again. */
  public void failWith(int status) {
    this.failWith = status;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void relay(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      requests.add(RecordedRequest.of(exchange, ""));
      int status = failWith;
      if (status != 0) {
        answer(exchange, status, "{\"errors\":[]}");
        return;
      }
      HttpResponse<InputStream> response;
      try {
        response = client.send(forward(exchange, body), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        answer(exchange, 502, "{\"errors\":[]}");
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted relaying " + exchange.getRequestURI());
      }
      response.headers().map().forEach((name, values) -> {
        if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
          exchange.getResponseHeaders().put(name, values);
        }
      });
      long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      try (InputStream in = response.body()) {
        if (exchange.getRequestMethod().equals("HEAD")) {
          if (length >= 0) {
            exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
          }
          exchange.sendResponseHeaders(response.statusCode(), -1);
          return;
        }
        exchange.sendResponseHeaders(response.statusCode(), length == 0 ? -1 : Math.max(length, 0));
        try (OutputStream out = exchange.getResponseBody()) {
          in.transferTo(out);
        }
      }
    }
  }

  private HttpRequest forward(HttpExchange exchange, byte[] body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(backend.resolve(exchange.getRequestURI().toString()))
        .method(exchange.getRequestMethod(), body.length == 0
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> request.header(name, v));
      }
    });
    return request.build();
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
