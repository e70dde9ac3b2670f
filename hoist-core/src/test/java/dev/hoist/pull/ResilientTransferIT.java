package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.MediaTypes;
import dev.hoist.registry.NotFoundException;
import dev.hoist.testing.FaultRegistry;
import dev.hoist.testing.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download that fails part way is retried and resumed from the bytes already in the store, as
 * docker's download manager does; refusals and wrong bytes are not retried. Against an in-process
 * {@link FaultRegistry} serving one image with a 3 MiB layer of random bytes.
 */
class ResilientTransferIT {
  private static final int LAYER_SIZE = 3 << 20;
  private static final long FIRST_PART = 1 << 20;
  private static final String REPO = "team/app";

  @TempDir Path storeDir;
  FaultRegistry registry;
  byte[] layer;
  String layerDigest;
  String layerPath;
  String ref;

  @BeforeEach
  void publish() throws IOException {
    registry = FaultRegistry.start();
    layer = new byte[LAYER_SIZE];
    new Random(7).nextBytes(layer);
    layerDigest = Digest.sha256(layer).toString();
    layerPath = "/blobs/" + layerDigest;
    byte[] config =
        utf8(
            "{\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + layerDigest
                + "\"]}}");
    String configDigest = registry.putBlob(REPO, config);
    registry.putBlob(REPO, layer);
    byte[] manifest =
        utf8(
            "{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG
                + "\",\"digest\":\""
                + configDigest
                + "\",\"size\":"
                + config.length
                + "},\"layers\":[{\"mediaType\":\""
                + MediaTypes.OCI_LAYER
                + "\",\"digest\":\""
                + layerDigest
                + "\",\"size\":"
                + LAYER_SIZE
                + "}]}");
    registry.putManifest(REPO, "v1", MediaTypes.OCI_MANIFEST, manifest);
    ref = registry.host() + "/" + REPO + ":v1";
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private Hoist hoist(int maxAttempts) throws IOException {
    return Hoist.builder()
        .store(storeDir)
        .credentials(CredentialProvider.anonymous())
        .maxDownloadAttempts(maxAttempts)
        .retryBackoff(Duration.ofMillis(10))
        .stallTimeout(Duration.ofSeconds(1))
        .build();
  }

  private PullResult pull(RecordingListener events) throws IOException {
    try (Hoist hoist = hoist(5)) {
      return hoist.pull(PullRequest.of(ref), events);
    }
  }

  @Test
  void aConnectionResetMidLayerIsResumedFromTheBytesAlreadyStored() throws IOException {
    registry.resetAfter(layerPath, FIRST_PART);
    RecordingListener events = new RecordingListener();

    PullResult result = pull(events);

    assertResumedOnce(result);
    assertRetryingWasReported(events);
  }

  @Test
  void aBodyThatEndsBeforeItsContentLengthIsResumed() throws IOException {
    registry.shortBody(layerPath, FIRST_PART);
    RecordingListener events = new RecordingListener();

    PullResult result = pull(events);

    assertResumedOnce(result);
    assertRetryingWasReported(events);
  }

  @Test
  void aStalledDownloadIsAbandonedAfterTheStallTimeoutAndResumed() throws IOException {
    registry.stallAfter(layerPath, FIRST_PART, Duration.ofMinutes(2));
    RecordingListener events = new RecordingListener();
    long start = System.nanoTime();

    PullResult result = pull(events);

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("gave up on the stall after about stallTimeout (1 s), not the stall's 2 min")
        .isGreaterThanOrEqualTo(Duration.ofMillis(900))
        .isLessThan(Duration.ofSeconds(20));
    assertResumedOnce(result);
    assertRetryingWasReported(events);
  }

  @Test
  void aRegistryThatIgnoresTheRangeOnResumeStillYieldsTheRightLayer() throws IOException {
    registry.resetAfter(layerPath, FIRST_PART);
    registry.ignoreRange(layerPath);

    pull(new RecordingListener());

    List<RecordedRequest> gets = layerGets();
    assertThat(gets).hasSizeGreaterThanOrEqualTo(2);
    assertThat(gets.get(1).header("Range")).contains("bytes=" + FIRST_PART + "-");
    assertLayerStoredAndTagged();
  }

  @Test
  void aResumeAnsweredFromTheWrongOffsetRestartsInsteadOfCorruptingTheLayer() throws IOException {
    registry.resetAfter(layerPath, FIRST_PART);
    registry.wrongContentRange(layerPath);

    pull(new RecordingListener());

    List<RecordedRequest> gets = layerGets();
    assertThat(gets).hasSizeGreaterThanOrEqualTo(2);
    assertThat(gets.get(1).header("Range")).contains("bytes=" + FIRST_PART + "-");
    assertLayerStoredAndTagged();
  }

  @Test
  void aRateLimitedBlobIsRetriedAfterTheRegistrysRetryAfter() throws IOException {
    registry.failNext(
        layerPath,
        429,
        "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}",
        Map.of("Retry-After", "1"));
    long start = System.nanoTime();

    pull(new RecordingListener());

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("waited the Retry-After second, not the 10 ms backoff")
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(layerGets()).hasSize(2);
    assertThat(registry.bytesSent(layerGets().get(1))).isEqualTo(LAYER_SIZE);
    assertLayerStoredAndTagged();
  }

  @Test
  void aBlobAnswered503OnceIsFetchedOnTheNextAttempt() throws IOException {
    registry.failNext(layerPath, 503, "");

    pull(new RecordingListener());

    assertThat(layerGets()).hasSize(2);
    assertLayerStoredAndTagged();
  }

  @Test
  void manifestRequestsAnswered503AreRetried() throws IOException {
    registry.failNext("/manifests/v1$", 503, ""); // the HEAD, after which docker tries a GET
    registry.failNext("/manifests/v1$", 503, ""); // and that GET

    pull(new RecordingListener());

    List<RecordedRequest> tagRequests =
        registry.requests().stream().filter(r -> r.path().endsWith("/manifests/v1")).toList();
    long methods = tagRequests.stream().map(RecordedRequest::method).distinct().count();
    assertThat(tagRequests)
        .as("some request for the tag was sent again")
        .hasSizeGreaterThan((int) methods);
    assertLayerStoredAndTagged();
  }

  @Test
  void aMissingBlobIsNotRetried() throws IOException {
    registry.failNext(
        layerPath,
        404,
        "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}");

    try (Hoist hoist = hoist(5)) {
      assertThatThrownBy(() -> hoist.pull(PullRequest.of(ref), PullListener.NONE))
          .isInstanceOf(NotFoundException.class);
    }

    assertThat(layerGets()).hasSize(1);
    assertNothingTagged();
  }

  @Test
  void aLayerWrongFromItsFirstByteIsNotRetriedAndLeavesNoBlobAndNoTag() throws IOException {
    byte[] wrong = layer.clone();
    wrong[0] ^= 1;
    registry.putBlobServing(REPO, layerDigest, wrong);

    try (Hoist hoist = hoist(5)) {
      assertThatThrownBy(() -> hoist.pull(PullRequest.of(ref), PullListener.NONE))
          .isInstanceOf(DigestMismatchException.class);
    }

    assertThat(layerGets()).hasSize(1);
    assertThat(storedLayer()).doesNotExist();
    assertNothingTagged();
  }

  @Test
  void runningOutOfAttemptsFailsSayingHowManyAndKeepsThePartialForLater() throws IOException {
    registry.resetAfter(layerPath, FIRST_PART);
    registry.resetAfter(layerPath, FIRST_PART);

    try (Hoist hoist = hoist(2)) {
      assertThatThrownBy(() -> hoist.pull(PullRequest.of(ref), PullListener.NONE))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("download failed after attempts=2");
    }

    assertThat(layerGets()).hasSize(2);
    assertThat(layerGets().get(1).header("Range")).contains("bytes=" + FIRST_PART + "-");
    assertNothingTagged();
    assertThat(storedLayer()).doesNotExist();
    Path partial = storeDir.resolve(".hoist/ingest/sha256-" + layerDigest.substring(7));
    assertThat(partial).hasSize(2 * FIRST_PART);

    PullResult later = pull(new RecordingListener());

    assertThat(layerGets()).hasSize(3);
    assertThat(layerGets().get(2).header("Range")).contains("bytes=" + 2 * FIRST_PART + "-");
    assertThat(later.bytesDownloaded()).isLessThan(LAYER_SIZE);
    assertLayerStoredAndTagged();
  }

  @Test
  void aRetryCountsDownInWholeSecondsAsDockerPrintsIt() throws IOException {
    registry.resetAfter(layerPath, FIRST_PART);
    RecordingListener events = new RecordingListener();

    try (Hoist hoist =
        Hoist.builder()
            .store(storeDir)
            .credentials(CredentialProvider.anonymous())
            .retryBackoff(Duration.ofSeconds(2))
            .build()) {
      hoist.pull(PullRequest.of(ref), events);
    }

    List<Integer> countdown =
        events.layers.stream()
            .filter(e -> e.status() == LayerStatus.RETRYING)
            .map(LayerEvent::retryInSeconds)
            .distinct()
            .toList();
    assertThat(countdown.get(0)).isGreaterThanOrEqualTo(2);
    assertThat(countdown).isSortedAccordingTo((a, b) -> b - a).endsWith(1);
    assertLayerStoredAndTagged();
  }

  /**
   * The layer took two GETs: the first cut after {@link #FIRST_PART}, the second asking for the
   * rest with a Range; no byte was fetched twice and the pull counted every byte it fetched.
   */
  private void assertResumedOnce(PullResult result) throws IOException {
    List<RecordedRequest> gets = layerGets();
    assertThat(gets).hasSize(2);
    assertThat(gets.get(0).header("Range")).isEmpty();
    long first = registry.bytesSent(gets.get(0));
    assertThat(first).isEqualTo(FIRST_PART);
    assertThat(gets.get(1).header("Range")).contains("bytes=" + first + "-");
    long layerBytesSent = gets.stream().mapToLong(registry::bytesSent).sum();
    assertThat(layerBytesSent).isEqualTo(LAYER_SIZE).isLessThan(2L * LAYER_SIZE);
    long blobBytesSent =
        registry.requests().stream()
            .filter(r -> r.path().contains("/blobs/"))
            .mapToLong(registry::bytesSent)
            .sum();
    assertThat(result.bytesDownloaded()).isEqualTo(blobBytesSent);
    assertLayerStoredAndTagged();
  }

  private void assertRetryingWasReported(RecordingListener events) {
    Digest digest = Digest.parse(layerDigest);
    assertThat(events.layers)
        .filteredOn(e -> e.digest().equals(digest) && e.status() == LayerStatus.RETRYING)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.retryInSeconds()).isPositive());
    assertThat(events.finals())
        .singleElement()
        .satisfies(e -> assertThat(e.status()).isEqualTo(LayerStatus.PULL_COMPLETE));
  }

  private void assertLayerStoredAndTagged() throws IOException {
    assertThat(storedLayer()).hasBinaryContent(layer);
    assertThat(Files.readString(storeDir.resolve("index.json"))).contains(REPO + ":v1");
    try (Stream<Path> ingest = Files.list(storeDir.resolve(".hoist/ingest"))) {
      assertThat(ingest).as("no partial left behind").isEmpty();
    }
  }

  private void assertNothingTagged() throws IOException {
    assertThat(Files.readString(storeDir.resolve("index.json"))).contains("\"manifests\":[]");
  }

  private Path storedLayer() {
    return storeDir.resolve("blobs/sha256/" + layerDigest.substring(7));
  }

  private List<RecordedRequest> layerGets() {
    return registry.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().endsWith(layerPath))
        .toList();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
