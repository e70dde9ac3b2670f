package dev.hoist.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultRegistryTest {
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final byte[] BLOB = randomBytes(3 << 20);

  private FaultRegistry registry;

  @BeforeEach
  void start() throws Exception {
    registry = FaultRegistry.start();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void pingAnswers200WithTheApiVersionHeader() throws Exception {
    HttpResponse<String> response = get("/v2/", Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Docker-Distribution-API-Version"))
        .contains("registry/2.0");
  }

  @Test
  void manifestIsServedByTagAndByDigestWithTypeAndDigestHeaders() throws Exception {
    String digest = registry.putManifest("library/app", "v1", OCI_MANIFEST, MANIFEST);

    for (String reference : new String[] {"v1", digest}) {
      HttpResponse<String> response = get("/v2/library/app/manifests/" + reference, Map.of());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("{\"schemaVersion\":2}");
      assertThat(response.headers().firstValue("Content-Type")).contains(OCI_MANIFEST);
      assertThat(response.headers().firstValue("Docker-Content-Digest")).contains(digest);
    }
    assertThat(digest).isEqualTo(FaultRegistry.sha256(MANIFEST));
  }

  @Test
  void headAnswersWithHeadersOnly() throws Exception {
    String digest = registry.putManifest("app", "v1", OCI_MANIFEST, MANIFEST);

    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(uri("/v2/app/manifests/v1"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(response.headers().firstValue("Content-Length")).contains("" + MANIFEST.length);
    assertThat(response.headers().firstValue("Docker-Content-Digest")).contains(digest);
  }

  @Test
  void unknownManifestAndBlobGetRegistryErrors() throws Exception {
    HttpResponse<String> manifest = get("/v2/app/manifests/nope", Map.of());
    HttpResponse<String> blob = get("/v2/app/blobs/sha256:" + "0".repeat(64), Map.of());

    assertThat(manifest.statusCode()).isEqualTo(404);
    assertThat(manifest.body())
        .isEqualTo(
            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
                + "\"detail\":null}]}");
    assertThat(blob.statusCode()).isEqualTo(404);
    assertThat(blob.body()).contains("\"code\":\"BLOB_UNKNOWN\"");
  }

  @Test
  void blobIsServedWholeOrFromARange() throws Exception {
    String digest = registry.putBlob("app", "0123456789".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> whole = get("/v2/app/blobs/" + digest, Map.of());
    HttpResponse<String> tail = get("/v2/app/blobs/" + digest, Map.of("Range", "bytes=4-"));

    assertThat(whole.body()).isEqualTo("0123456789");
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo("456789");
    assertThat(tail.headers().firstValue("Content-Range")).contains("bytes 4-9/10");
  }

  @Test
  void blobCanBeServedWithBytesThatDoNotMatchItsDigest() throws Exception {
    String claimed = FaultRegistry.sha256("good".getBytes(StandardCharsets.UTF_8));
    registry.putBlobServing("app", claimed, "evil".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> response = get("/v2/app/blobs/" + claimed, Map.of());

    assertThat(response.body()).isEqualTo("evil");
    assertThat(response.headers().firstValue("Docker-Content-Digest")).contains(claimed);
  }

  @Test
  void failNextFailsOnlyTheFirstMatchingRequest() throws Exception {
    registry.putManifest("app", "v1", OCI_MANIFEST, MANIFEST);
    registry.failNext("/manifests/", 429, "{\"errors\":[]}", Map.of("Retry-After", "1"));

    HttpResponse<String> ping = get("/v2/", Map.of());
    HttpResponse<String> failed = get("/v2/app/manifests/v1", Map.of());
    HttpResponse<String> served = get("/v2/app/manifests/v1", Map.of());

    assertThat(ping.statusCode()).isEqualTo(200);
    assertThat(failed.statusCode()).isEqualTo(429);
    assertThat(failed.headers().firstValue("Retry-After")).contains("1");
    assertThat(served.statusCode()).isEqualTo(200);
  }

  @Test
  void requestsAreRecordedWithTheirHeaders() throws Exception {
    get("/v2/app/manifests/v1", Map.of("Accept", OCI_MANIFEST, "Authorization", "Bearer t"));

    assertThat(registry.requests()).hasSize(1);
    RecordedRequest request = registry.requests().get(0);
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.path()).isEqualTo("/v2/app/manifests/v1");
    assertThat(request.header("accept")).contains(OCI_MANIFEST);
    assertThat(request.authorization()).contains("Bearer t");
  }

  @Test
  void httpsAttemptFailsFastLikeAPlainHttpRegistry() throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, null, null);
    HttpClient https = HttpClient.newBuilder().sslContext(tls).build();
    long start = System.nanoTime();

    assertThatThrownBy(
            () ->
                https.send(
                    HttpRequest.newBuilder(URI.create("https://" + registry.host() + "/v2/"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(get("/v2/", Map.of()).statusCode()).isEqualTo(200);
  }

  @Test
  void resetAfterSendsThatManyBytesThenResetsTheConnection() throws Exception {
    String digest = registry.putBlob("app", BLOB);
    registry.resetAfter("/blobs/", 100_000);

    RawResponse cut = rawGet("/v2/app/blobs/" + digest, null);
    RawResponse next = rawGet("/v2/app/blobs/" + digest, null);

    assertThat(cut.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(cut.header("content-length")).isEqualTo("" + BLOB.length);
    assertThat(cut.body()).isEqualTo(Arrays.copyOf(BLOB, 100_000));
    assertThat(cut.end()).isInstanceOf(SocketException.class).hasMessageContaining("reset");
    assertThat(registry.bytesSent(registry.requests().get(0))).isEqualTo(100_000);
    assertThat(next.body()).isEqualTo(BLOB);
    assertThat(registry.bytesSent(registry.requests().get(1))).isEqualTo(BLOB.length);
  }

  @Test
  void shortBodyDeclaresTheFullLengthButEndsEarly() throws Exception {
    String digest = registry.putBlob("app", BLOB);
    registry.shortBody("/blobs/", 1000);

    RawResponse cut = rawGet("/v2/app/blobs/" + digest, "bytes=10-");

    assertThat(cut.statusLine()).isEqualTo("HTTP/1.1 206 Partial Content");
    assertThat(cut.header("content-length")).isEqualTo("" + (BLOB.length - 10));
    assertThat(cut.body()).isEqualTo(Arrays.copyOfRange(BLOB, 10, 1010));
    assertThat(cut.end()).isNull(); // a clean end of stream, too early
    assertThat(registry.requests().get(0).header("Range")).contains("bytes=10-");
    assertThat(registry.bytesSent(registry.requests().get(0))).isEqualTo(1000);
  }

  @Test
  void stallAfterSendsThatManyBytesThenNothingUntilTheStallEnds() throws Exception {
    String digest = registry.putBlob("app", BLOB);
    registry.stallAfter("/blobs/", 5000, Duration.ofSeconds(1));
    long start = System.nanoTime();

    RawResponse cut = rawGet("/v2/app/blobs/" + digest, null);

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(900))
        .isLessThan(Duration.ofSeconds(5));
    assertThat(cut.body()).isEqualTo(Arrays.copyOf(BLOB, 5000));
    assertThat(registry.bytesSent(registry.requests().get(0))).isEqualTo(5000);
  }

  @Test
  void aStallEndsWhenTheRegistryCloses() throws Exception {
    String digest = registry.putBlob("app", BLOB);
    registry.stallAfter("/blobs/", 10, Duration.ofMinutes(5));
    long start = System.nanoTime();
    Thread closer =
        new Thread(
            () -> {
              try {
                Thread.sleep(300);
              } catch (InterruptedException e) {
                return;
              }
              registry.close();
            });
    closer.start();

    RawResponse cut = rawGet("/v2/app/blobs/" + digest, null);

    closer.join();
    assertThat(cut.body()).hasSize(10);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void ignoreRangeAnswersTheWholeBlobWith200() throws Exception {
    String digest = registry.putBlob("app", BLOB);
    registry.ignoreRange("/blobs/");

    RawResponse whole = rawGet("/v2/app/blobs/" + digest, "bytes=1000-");

    assertThat(whole.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    assertThat(whole.header("content-range")).isNull();
    assertThat(whole.body()).isEqualTo(BLOB);
  }

  @Test
  void wrongContentRangeAnswersFromAnotherOffsetThanAsked() throws Exception {
    String digest = registry.putBlob("app", BLOB);
    registry.wrongContentRange("/blobs/");
    int from = (1000 + BLOB.length) / 2;

    RawResponse other = rawGet("/v2/app/blobs/" + digest, "bytes=1000-");

    assertThat(other.statusLine()).isEqualTo("HTTP/1.1 206 Partial Content");
    assertThat(other.header("content-range"))
        .isEqualTo("bytes " + from + "-" + (BLOB.length - 1) + "/" + BLOB.length);
    assertThat(other.body()).isEqualTo(Arrays.copyOfRange(BLOB, from, BLOB.length));
  }

  @Test
  void bodyFaultsSpareHeadsAndManifestsAndApplyInOrder() throws Exception {
    String digest = registry.putBlob("app", BLOB);
    registry.putManifest("app", "v1", OCI_MANIFEST, MANIFEST);
    registry.shortBody("/", 1);
    registry.shortBody("/", 2);

    HttpResponse<String> head =
        HTTP.send(
            HttpRequest.newBuilder(uri("/v2/app/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> manifest = get("/v2/app/manifests/v1", Map.of());
    RawResponse first = rawGet("/v2/app/blobs/" + digest, null);
    RawResponse second = rawGet("/v2/app/blobs/" + digest, null);
    RawResponse third = rawGet("/v2/app/blobs/" + digest, null);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(manifest.body()).isEqualTo("{\"schemaVersion\":2}");
    assertThat(first.body()).hasSize(1);
    assertThat(second.body()).hasSize(2);
    assertThat(third.body()).isEqualTo(BLOB);
    assertThat(registry.requests().stream().map(registry::bytesSent))
        .containsExactly(0L, (long) MANIFEST.length, 1L, 2L, (long) BLOB.length);
  }

  /** A response read off a raw socket, and how the body ended ({@code null}: end of stream). */
  private record RawResponse(
      String statusLine, Map<String, String> headers, byte[] body, IOException end) {
    String header(String name) {
      return headers.get(name);
    }
  }

  /** GETs {@code path} on a fresh connection and reads until the server ends it. */
  private RawResponse rawGet(String path, String range) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", registry.baseUri().getPort())) {
      socket.setSoTimeout(30_000);
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + registry.host()
              + "\r\nConnection: close\r\n"
              + (range == null ? "" : "Range: " + range + "\r\n")
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String statusLine = readLine(in);
      Map<String, String> headers = new HashMap<>();
      for (String line; !(line = readLine(in)).isEmpty(); ) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          body.write(buffer, 0, n);
        }
        return new RawResponse(statusLine, headers, body.toByteArray(), null);
      } catch (IOException e) {
        return new RawResponse(statusLine, headers, body.toByteArray(), e);
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new EOFException("connection ended in the headers: " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path));
    headers.forEach(builder::header);
    return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  private URI uri(String path) {
    return registry.baseUri().resolve(path);
  }
}
