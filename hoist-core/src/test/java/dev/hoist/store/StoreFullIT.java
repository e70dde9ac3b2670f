package dev.hoist.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Digest;
import dev.hoist.image.MediaTypes;
import dev.hoist.pull.PullListener;
import dev.hoist.pull.PullRequest;
import dev.hoist.testing.FaultRegistry;
import dev.hoist.testing.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a full file system: the pull fails at once saying so, commits nothing and leaves the
 * tags alone; once there is room, the same pull works. The store is a 4 MiB tmpfs, which needs root
 * (or CAP_SYS_ADMIN) to mount.
 */
class StoreFullIT {
  private static final String REPO = "team/app";

  @TempDir Path work;
  Path store;
  boolean mounted;
  FaultRegistry registry;

  @BeforeEach
  void mountTinyStore() throws Exception {
    store = Files.createDirectory(work.resolve("store"));
    String error = run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", store.toString());
    Assumptions.assumeTrue(
        error == null, "cannot mount a 4 MiB tmpfs (mount -t tmpfs -o size=4m): " + error);
    mounted = true;
    registry = FaultRegistry.start();
  }

  @AfterEach
  void unmount() throws Exception {
    if (registry != null) {
      registry.close();
    }
    if (mounted) {
      String error = run("umount", store.toString());
      assertThat(error).as("umount %s", store).isNull();
    }
  }

  @Test
  void aPullThatFillsTheStoreFailsOnceCommitsNothingAndWorksOnceThereIsRoom() throws Exception {
    String small = publish("small", randomBytes(1, 64 << 10));
    byte[] bigLayer = randomBytes(2, 8 << 20);
    String big = publish("big", bigLayer);
    String bigLayerDigest = Digest.sha256(bigLayer).toString();
    try (Hoist hoist = hoist()) {
      hoist.pull(PullRequest.of(small), PullListener.NONE);
    }
    byte[] indexBefore = Files.readAllBytes(store.resolve("index.json"));

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(PullRequest.of(big), PullListener.NONE))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(store.toString())
          .hasMessageContaining("No space left on device");
    }

    assertThat(layerGets(bigLayerDigest)).as("a full disk is not retried").hasSize(1);
    assertThat(store.resolve("blobs/sha256/" + bigLayerDigest.substring(7))).doesNotExist();
    assertThat(store.resolve("index.json")).hasBinaryContent(indexBefore);

    String error = run("mount", "-o", "remount,size=64m", store.toString());
    assertThat(error).as("growing the tmpfs").isNull();
    try (Hoist hoist = hoist()) {
      hoist.pull(PullRequest.of(big), PullListener.NONE);
    }

    assertThat(store.resolve("blobs/sha256/" + bigLayerDigest.substring(7)))
        .hasBinaryContent(bigLayer);
    assertThat(Files.readString(store.resolve("index.json")))
        .contains(REPO + ":small")
        .contains(REPO + ":big");
  }

  private Hoist hoist() throws IOException {
    return Hoist.builder()
        .store(store)
        .credentials(CredentialProvider.anonymous())
        .retryBackoff(Duration.ofMillis(10))
        .build();
  }

  /** Publishes {@code REPO:tag} with {@code layer} as its only layer; returns its reference. */
  private String publish(String tag, byte[] layer) {
    String layerDigest = registry.putBlob(REPO, layer);
    byte[] config =
        utf8(
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\""
                + layerDigest
                + "\"]},\"comment\":\""
                + tag
                + "\"}");
    String configDigest = registry.putBlob(REPO, config);
    byte[] manifest =
        utf8(
            "{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST
                + "\","
                + "\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG
                + "\",\"digest\":\""
                + configDigest
                + "\",\"size\":"
                + config.length
                + "},"
                + "\"layers\":[{\"mediaType\":\""
                + MediaTypes.OCI_LAYER
                + "\",\"digest\":\""
                + layerDigest
                + "\",\"size\":"
                + layer.length
                + "}]}");
    registry.putManifest(REPO, tag, MediaTypes.OCI_MANIFEST, manifest);
    return registry.host() + "/" + REPO + ":" + tag;
  }

  private List<RecordedRequest> layerGets(String digest) {
    return registry.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().endsWith("/blobs/" + digest))
        .toList();
  }

  /** Runs a command; returns null on success, else its exit code and output. */
  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return "timed out: " + String.join(" ", command);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return process.exitValue() == 0 ? null : "exit " + process.exitValue() + ": " + output.trim();
  }

  private static byte[] randomBytes(long seed, int n) {
    byte[] bytes = new byte[n];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
