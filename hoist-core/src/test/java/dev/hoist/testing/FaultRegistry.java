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
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Thread-safe; every request is {@linkplain #requests() recorded}, with the body bytes sent in
 * answer ({@link #bytesSent}).
 *
 * <p>Faults are scripted and each is used once, in the order added: status faults ({@link
 * #failNext}) answer any request instead of serving it; body faults ({@link #resetAfter}, {@link
 * #shortBody}, {@link #stallAfter}, {@link #ignoreRange}, {@link #wrongContentRange}) spoil the
 * answer to a GET of a blob that exists.
 */
public final class FaultRegistry implements AutoCloseable {
  private static final Pattern ROUTE = Pattern.compile("^/v2/(.+)/(manifests|blobs)/([^/]+)$");
  private static final Pattern RANGE = Pattern.compile("^bytes=(\\d+)-(\\d*)$");

  private record Content(String mediaType, String digest, byte[] bytes) {}

  private record Fault(Pattern path, int status, String body, Map<String, String> headers) {}

  private enum BodyFaultKind {
    RESET,
    SHORT,
    STALL,
    IGNORE_RANGE,
    WRONG_CONTENT_RANGE
  }

  private record BodyFault(Pattern path, BodyFaultKind kind, long bytes, Duration stall) {
    /** Whether the body is cut after {@link #bytes}. */
    boolean cuts() {
      return kind == BodyFaultKind.RESET
          || kind == BodyFaultKind.SHORT
          || kind == BodyFaultKind.STALL;
    }
  }

  private final HttpServer server;
  private PlainHttpFront front;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Content> manifests = new ConcurrentHashMap<>();
  private final Map<String, Content> blobs = new ConcurrentHashMap<>();
  private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final Queue<BodyFault> bodyFaults = new ConcurrentLinkedQueue<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final Map<RecordedRequest, AtomicLong> sent =
      Collections.synchronizedMap(new IdentityHashMap<>());
  private final CountDownLatch closing = new CountDownLatch(1);

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

  /**
   * Answers the next GET of a blob whose path contains a match of {@code pathRegex} as usual (200,
   * or 206 for a Range), but sends only the body's first {@code bytes} bytes, then resets the
   * connection (TCP RST) once the client has had time to read them.
   */
  public void resetAfter(String pathRegex, long bytes) {
    addBodyFault(pathRegex, BodyFaultKind.RESET, bytes, Duration.ZERO);
  }

  /**
   * Like {@link #resetAfter}, but closes the connection cleanly: the client sees the body end
   * before the declared {@code Content-Length}.
   */
  public void shortBody(String pathRegex, long bytes) {
    addBodyFault(pathRegex, BodyFaultKind.SHORT, bytes, Duration.ZERO);
  }

  /**
   * Like {@link #resetAfter}, but after {@code bytes} bytes sends nothing more, keeping the
   * connection open, until {@code stall} has passed or this registry closes; then closes it.
   */
  public void stallAfter(String pathRegex, long bytes, Duration stall) {
    addBodyFault(pathRegex, BodyFaultKind.STALL, bytes, stall);
  }

  /** Answers the next matching blob GET with 200 and the whole blob, whatever Range it asked. */
  public void ignoreRange(String pathRegex) {
    addBodyFault(pathRegex, BodyFaultKind.IGNORE_RANGE, -1, Duration.ZERO);
  }

  /**
   * Answers the next matching blob GET with 206 and a {@code Content-Range} (and body) that starts
   * halfway between the offset it asked for (0 without a Range) and the blob's end.
   */
  public void wrongContentRange(String pathRegex) {
    addBodyFault(pathRegex, BodyFaultKind.WRONG_CONTENT_RANGE, -1, Duration.ZERO);
  }

  private void addBodyFault(String pathRegex, BodyFaultKind kind, long bytes, Duration stall) {
    if (kind == BodyFaultKind.RESET || kind == BodyFaultKind.SHORT || kind == BodyFaultKind.STALL) {
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes < 0: " + bytes);
      }
    }
    bodyFaults.add(new BodyFault(Pattern.compile(pathRegex), kind, bytes, stall));
  }

  /** Every request received so far, oldest first. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /**
   * The body bytes sent so far in answer to {@code request}, one of {@link #requests()}: 0 for a
   * HEAD, the cut-off length for a faulted body.
   */
  public long bytesSent(RecordedRequest request) {
    AtomicLong counter = sent.get(request);
    if (counter == null) {
      throw new IllegalArgumentException("not a request to this registry: " + request);
    }
    return counter.get();
  }

  @Override
  public void close() {
    closing.countDown();
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
      RecordedRequest request = RecordedRequest.of(exchange, null);
      AtomicLong counter = new AtomicLong();
      sent.put(request, counter);
      requests.add(request);
      exchange.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
      String path = exchange.getRequestURI().getRawPath();
      Fault fault = takeFault(path);
      if (fault != null) {
        fault.headers().forEach(exchange.getResponseHeaders()::set);
        send(exchange, counter, fault.status(), "application/json", body(fault.body()), 0, -1);
        return;
      }
      if (path.equals("/v2/") || path.equals("/v2")) {
        send(exchange, counter, 200, "application/json", body("{}"), 0, -1);
        return;
      }
      Matcher route = ROUTE.matcher(path);
      String method = exchange.getRequestMethod();
      if (!route.matches() || !(method.equals("GET") || method.equals("HEAD"))) {
        sendError(
            exchange,
            counter,
            404,
            "UNSUPPORTED",
            "not served by FaultRegistry: " + method + " " + path);
        return;
      }
      boolean manifest = route.group(2).equals("manifests");
      Content content = (manifest ? manifests : blobs).get(route.group(1) + "@" + route.group(3));
      if (content == null) {
        sendError(
            exchange,
            counter,
            404,
            manifest ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN",
            manifest ? "manifest unknown" : "blob unknown to registry");
        return;
      }
      exchange.getResponseHeaders().set("Docker-Content-Digest", content.digest());
      BodyFault bodyFault = manifest || !method.equals("GET") ? null : takeBodyFault(path);
      serve(exchange, counter, content, manifest, bodyFault);
    }
  }

  private void serve(
      HttpExchange exchange, AtomicLong counter, Content content, boolean manifest, BodyFault fault)
      throws IOException {
    int length = content.bytes().length;
    String range = exchange.getRequestHeaders().getFirst("Range");
    boolean ignoreRange = fault != null && fault.kind() == BodyFaultKind.IGNORE_RANGE;
    Matcher m = range == null || manifest || ignoreRange ? null : RANGE.matcher(range.trim());
    boolean ranged = m != null && m.matches();
    long start = ranged ? Long.parseLong(m.group(1)) : 0;
    long end = ranged && !m.group(2).isEmpty() ? Long.parseLong(m.group(2)) : length - 1;
    end = Math.min(end, length - 1);
    if (ranged && (start >= length || end < start)) {
      exchange.getResponseHeaders().set("Content-Range", "bytes */" + length);
      send(exchange, counter, 416, "application/json", body(""), 0, 0);
      return;
    }
    if (fault != null && fault.kind() == BodyFaultKind.WRONG_CONTENT_RANGE) {
      ranged = true;
      start = (start + length) / 2;
      end = length - 1;
    }
    int status = 200;
    if (ranged) {
      status = 206;
      exchange
          .getResponseHeaders()
          .set("Content-Range", "bytes " + start + "-" + end + "/" + length);
    } else {
      exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
    }
    int n = (int) (end - start + 1);
    if (fault != null && fault.cuts()) {
      sendCut(exchange, counter, status, content, (int) start, n, fault);
    } else {
      send(exchange, counter, status, content.mediaType(), content.bytes(), (int) start, n);
    }
  }

  /**
   * Declares {@code length} bytes from {@code offset} but sends at most {@code fault.bytes()} of
   * them, then ends the connection as {@code fault} says.
   */
  private void sendCut(
      HttpExchange exchange,
      AtomicLong counter,
      int status,
      Content content,
      int offset,
      int length,
      BodyFault fault)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", content.mediaType());
    exchange.sendResponseHeaders(status, length);
    OutputStream out = exchange.getResponseBody();
    int cut = (int) Math.min(fault.bytes(), length);
    for (int done = 0; done < cut; ) {
      int chunk = Math.min(1 << 16, cut - done);
      out.write(content.bytes(), offset + done, chunk);
      done += chunk;
      counter.addAndGet(chunk);
    }
    out.flush();
    if (cut == length) {
      return; // nothing left to withhold: the answer is complete
    }
    switch (fault.kind()) {
      case RESET -> front.resetWhenDone(exchange.getRemoteAddress().getPort());
      case STALL -> awaitClosing(fault.stall());
      default -> {}
    }
    // Closing an exchange before its declared length was written closes the connection.
  }

  private void awaitClosing(Duration stall) throws IOException {
    try {
      closing.await(stall.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("stall interrupted");
    }
  }

  private BodyFault takeBodyFault(String path) {
    for (Iterator<BodyFault> it = bodyFaults.iterator(); it.hasNext(); ) {
      BodyFault fault = it.next();
      if (fault.path().matcher(path).find() && bodyFaults.remove(fault)) {
        return fault;
      }
    }
    return null;
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

  private static void sendError(
      HttpExchange exchange, AtomicLong counter, int status, String code, String message)
      throws IOException {
    String json =
        "{\"errors\":[{\"code\":\""
            + code
            + "\",\"message\":\""
            + message.replace("\"", "'")
            + "\",\"detail\":null}]}";
    send(exchange, counter, status, "application/json", body(json), 0, -1);
  }

  /** Sends {@code length} bytes from {@code offset} ({@code -1}: all), or only headers for HEAD. */
  private static void send(
      HttpExchange exchange,
      AtomicLong counter,
      int status,
      String type,
      byte[] bytes,
      int offset,
      int length)
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
    counter.addAndGet(n);
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
