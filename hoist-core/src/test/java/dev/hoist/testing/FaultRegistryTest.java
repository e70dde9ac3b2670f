package dev.hoist.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultRegistryTest {
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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

  private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path));
    headers.forEach(builder::header);
    return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return registry.baseUri().resolve(path);
  }
}
