package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.MediaTypes;
import dev.hoist.testing.FaultRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls sharing one Hoist share downloads: a blob wanted by several at once is fetched once. */
class ConcurrentPullsIT {
  @Test
  void aLayerWantedByConcurrentPullsIsDownloadedOnce(@TempDir Path store) throws Exception {
    byte[] shared = new byte[8 << 20];
    new Random(42).nextBytes(shared);
    try (FaultRegistry registry = FaultRegistry.start()) {
      String sharedDigest = registry.putBlob("team/a", shared);
      registry.putBlob("team/b", shared);
      List<String> refs = List.of(publish(registry, "team/a", sharedDigest, shared.length, "a"),
          publish(registry, "team/b", sharedDigest, shared.length, "b"));

      ExecutorService pool = Executors.newFixedThreadPool(2);
      try (Hoist hoist = Hoist.builder().store(store).credentials(CredentialProvider.anonymous()).build()) {
        List<Future<PullResult>> pulls = refs.stream().map(r -> pool.submit(() -> hoist.pull(r))).toList();
        for (Future<PullResult> pull : pulls) {
          assertThat(pull.get().digest()).isNotNull();
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(registry.requests())
          .filteredOn(r -> r.method().equals("GET") && r.path().endsWith("/blobs/" + sharedDigest))
          .hasSize(1);
      assertThat(store.resolve("blobs/sha256/" + sharedDigest.substring(7))).hasBinaryContent(shared);
    }
  }

  /** An image of the shared layer plus a small one of its own; returns its reference. */
  private static String publish(FaultRegistry registry, String repo, String sharedDigest, long size, String own) {
    byte[] top = own.getBytes(StandardCharsets.UTF_8);
    String topDigest = registry.putBlob(repo, top);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + sharedDigest + "\",\"" + topDigest + "\"]}}").getBytes(StandardCharsets.UTF_8);
    String configDigest = registry.putBlob(repo, config);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
        + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},"
        + "\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + sharedDigest + "\",\"size\":" + size + "},"
        + "{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + topDigest + "\",\"size\":" + top.length + "}]}")
        .getBytes(StandardCharsets.UTF_8);
    registry.putManifest(repo, "v1", MediaTypes.OCI_MANIFEST, manifest);
    return registry.host() + "/" + repo + ":v1";
  }
}
