package dev.hoist.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process fake of the distribution API (pull side only), for fault injection: things a real
 * registry will not do, such as serving wrong bytes or failing on cue. Test behaviour against a
 * {@link LocalRegistry} instead whenever a real registry can show it.
 *
 * <p>Serves {@code GET /v2/}, manifests by tag and digest and blobs, with GET and HEAD; unknown
 * ones get 404 with a {@code MANIFEST_UNKNOWN} or {@code BLOB_UNKNOWN} error body. Blob GETs honour
 * {@code Range: bytes=N-} and {@code bytes=N-M} with 206. Like a real plain-HTTP registry, it
 * answers a TLS handshake at once with 400, so clients that try HTTPS first fall back quickly.
 * Thread-safe; every request is {@linkplain #requests() recorded}.
 */
public final class FaultRegistry implements AutoCloseable {
  private static final Pattern ROUTE = Pattern.compile("^/v2/(.+)/(manifests|blobs)/([^/]+)$");
  private static final Pattern RANGE = Pattern.compile("^bytes=(\\d+)-(\\d*)$");

  private record Content(String mediaType, String digest, byte[] bytes) {}

  private record Fault(Pattern path, int status, String body, Map<String, String> headers) {}

  private final HttpServer server;
  private PlainHttpFront front;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Content> manifests = new ConcurrentHashMap<>();
  private final Map<String, Content> blobs = new ConcurrentHashMap<>();
  private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

  private FaultRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
  }

  /** Starts serving on a free loopback port. */
  public static FaultRegistry start() throws IOException {
    FaultRegistry registry = new FaultRegistry();
    registry.server.start();
    try {
      registry.front = new PlainHttpFront(registry.server.getAddress());
    } catch (IOException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  /** {@code 127.0.0.1:PORT}. */
  public String host() {
    return "127.0.0.1:" + front.port();
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public URI baseUri() {
    return URI.create("http://" + host());
  }

  /**
   * Serves {@code bytes} as a manifest of {@code mediaType} under {@code reference} (a tag or a
   * digest) and under its own sha256 digest, which it returns.
   */
  public String putManifest(String repository, String reference, String mediaType, byte[] bytes) {
    String digest = sha256(bytes);
    Content content = new Content(mediaType, digest, bytes.clone());
    manifests.put(repository + "@" + digest, content);
    manifests.put(repository + "@" + reference, content);
    return digest;
  }

  /** Serves {@code bytes} as a blob under their sha256 digest, which it returns. */
  public String putBlob(String repository, byte[] bytes) {
    String digest = sha256(bytes);
    putBlobServing(repository, digest, bytes);
    return digest;
  }

  /** Serves {@code servedBytes} under {@code claimedDigest}, whatever their real digest. */
  public void putBlobServing(String repository, String claimedDigest, byte[] servedBytes) {
    blobs.put(
        repository + "@" + claimedDigest,
        new Content("application/octet-stream", claimedDigest, servedBytes.clone()));
  }

  /**
   * Answers the next request whose path contains a match of {@code pathRegex} with {@code status}
   * and {@code body} (JSON), instead of serving it. Faults queue up in the order added.
   */
  public void failNext(String pathRegex, int status, String body) {
    failNext(pathRegex, status, body, Map.of());
  }

  /** Like {@link #failNext(String, int, String)}, adding {@code headers} such as Retry-After. */
  public void failNext(String pathRegex, int status, String body, Map<String, String> headers) {
    faults.add(new Fault(Pattern.compile(pathRegex), status, body, Map.copyOf(headers)));
  }

  /** Every request received so far, oldest first. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    if (front != null) {
      front.close();
    }
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
      requests.add(RecordedRequest.of(exchange, null));
      exchange.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
      String path = exchange.getRequestURI().getRawPath();
      Fault fault = takeFault(path);
      if (fault != null) {
        fault.headers().forEach(exchange.getResponseHeaders()::set);
        send(exchange, fault.status(), "application/json", body(fault.body()), 0, -1);
        return;
      }
      if (path.equals("/v2/") || path.equals("/v2")) {
        send(exchange, 200, "application/json", body("{}"), 0, -1);
        return;
      }
      Matcher route = ROUTE.matcher(path);
      String method = exchange.getRequestMethod();
      if (!route.matches() || !(method.equals("GET") || method.equals("HEAD"))) {
        sendError(
            exchange, 404, "UNSUPPORTED", "not served by FaultRegistry: " + method + " " + path);
        return;
      }
      boolean manifest = route.group(2).equals("manifests");
      Content content = (manifest ? manifests : blobs).get(route.group(1) + "@" + route.group(3));
      if (content == null) {
        sendError(
            exchange,
            404,
            manifest ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN",
            manifest ? "manifest unknown" : "blob unknown to registry");
        return;
      }
      exchange.getResponseHeaders().set("Docker-Content-Digest", content.digest());
      serve(exchange, content, manifest);
    }
  }

  private void serve(HttpExchange exchange, Content content, boolean manifest) throws IOException {
    int length = content.bytes().length;
    String range = exchange.getRequestHeaders().getFirst("Range");
    Matcher m = range == null || manifest ? null : RANGE.matcher(range.trim());
    if (m == null || !m.matches()) {
      exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
      send(exchange, 200, content.mediaType(), content.bytes(), 0, length);
      return;
    }
    long start = Long.parseLong(m.group(1));
    long end = m.group(2).isEmpty() ? length - 1 : Math.min(Long.parseLong(m.group(2)), length - 1);
    if (start >= length || end < start) {
      exchange.getResponseHeaders().set("Content-Range", "bytes */" + length);
      send(exchange, 416, "application/json", body(""), 0, 0);
      return;
    }
    exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + length);
    send(exchange, 206, content.mediaType(), content.bytes(), (int) start, (int) (end - start + 1));
  }

  private Fault takeFault(String path) {
    for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
      Fault fault = it.next();
      if (fault.path().matcher(path).find() && faults.remove(fault)) {
        return fault;
      }
    }
    return null;
  }

  private static void sendError(HttpExchange exchange, int status, String code, String message)
      throws IOException {
    String json =
        "{\"errors\":[{\"code\":\""
            + code
            + "\",\"message\":\""
            + message.replace("\"", "'")
            + "\",\"detail\":null}]}";
    send(exchange, status, "application/json", body(json), 0, -1);
  }

  /** Sends {@code length} bytes from {@code offset} ({@code -1}: all), or only headers for HEAD. */
  private static void send(
      HttpExchange exchange, int status, String type, byte[] bytes, int offset, int length)
      throws IOException {
    int n = length < 0 ? bytes.length - offset : length;
    exchange.getResponseHeaders().set("Content-Type", type);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(n));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, n == 0 ? -1 : n);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes, offset, n);
    }
  }

  private static byte[] body(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String sha256(byte[] bytes) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
