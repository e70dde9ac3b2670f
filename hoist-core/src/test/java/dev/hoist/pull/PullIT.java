package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Digest;
import dev.hoist.image.MediaTypes;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.NotFoundException;
import dev.hoist.registry.RegistryException;
import dev.hoist.store.ImageRefs;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.LocalRegistry.ManifestFormat;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from the real CNCF distribution registry, images pushed by skopeo. */
class PullIT {
  @TempDir static Path fixtures;
  @TempDir Path storeDir;
  @TempDir Path work;

  static LocalRegistry registry;
  static OciLayoutImage multi;
  static TestImages.SharedBase shared;
  static String multiDigest;
  static String dockerDigest;

  @BeforeAll
  static void pushImages() throws IOException {
    registry = LocalRegistry.anonymous();
    multi = TestImages.multiLayer(fixtures);
    shared = TestImages.sharingBase(fixtures);
    multiDigest = registry.push(multi, "team/multi", "v1");
    dockerDigest = registry.push(multi, "team/docker", "v1", ManifestFormat.DOCKER_V2S2);
    registry.push(shared.first(), "team/first", "v1");
    registry.push(shared.second(), "team/second", "v1");
  }

  @AfterAll
  static void stopRegistry() throws IOException {
    registry.close();
  }

  private Hoist hoist() throws IOException {
    return Hoist.builder().store(storeDir).credentials(CredentialProvider.anonymous()).build();
  }

  private String ref(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }

  @Test
  void pullsByTagIntoAStoreThatSkopeoAndUmociRead() throws Exception {
    RecordingListener events = new RecordingListener();
    PullResult result;
    try (Hoist hoist = hoist()) {
      result = hoist.pull(PullRequest.of(ref("team/multi:v1")), events);
    }

    assertThat(result.digest()).hasToString(multiDigest);
    assertThat(result.imageId()).hasToString(multi.configDigest());
    assertThat(result.tagChanged()).isTrue();
    assertThat(events.lines.get(0)).isEqualTo("v1: Pulling from team/multi");
    assertThat(events.finals())
        .extracting(e -> e.digest().toString(), LayerEvent::status)
        .containsExactlyElementsOf(
            multi.layerDigests().stream()
                .map(d -> org.assertj.core.groups.Tuple.tuple(d, LayerStatus.PULL_COMPLETE))
                .toList());
    for (String layer : multi.layerDigests()) {
      assertThat(storeDir.resolve("blobs/sha256/" + layer.substring(7)))
          .hasSameBinaryContentAs(multi.blob(layer));
    }

    String name = ref("team/multi:v1");
    String inspected = Tools.run(List.of("skopeo", "inspect", "oci:" + storeDir + ":" + name), storeDir);
    assertThat(inspected).contains("\"Digest\": \"" + multiDigest + "\"");
    Path bundle = work.resolve("bundle");
    Tools.run(List.of("umoci", "unpack", "--rootless", "--image", storeDir + ":" + name, bundle.toString()), storeDir);
    assertThat(bundle.resolve("rootfs/etc/passwd")).exists();
    assertThat(bundle.resolve("rootfs/usr/share/common-licenses/Apache-2.0")).doesNotExist();
  }

  @Test
  void pullsDockerSchema2ImagesAndNamesTheirLosslessOciFormForOciTools() throws Exception {
    String name = ref("team/docker:v1");
    try (Hoist hoist = hoist()) {
      PullResult result = hoist.pull(name);

      assertThat(result.digest()).hasToString(dockerDigest);
      assertThat(hoist.store().contains(Digest.parse(dockerDigest))).as("registry's manifest kept").isTrue();
      assertThat(hoist.store().resolve(name))
          .get()
          .satisfies(d -> {
            assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(d.annotations()).containsEntry(ImageRefs.RESOLVED_DIGEST, dockerDigest);
          });
    }
    String inspected = Tools.run(List.of("skopeo", "inspect", "oci:" + storeDir + ":" + name), storeDir);
    assertThat(inspected).contains(multi.layerDigests().get(0));
    Tools.run(List.of("umoci", "unpack", "--rootless", "--image", storeDir + ":" + name,
        work.resolve("bundle").toString()), storeDir);
    assertThat(work.resolve("bundle/rootfs/etc/passwd")).exists();
  }

  @Test
  void pullsByDigestAndRecordsTheDigestReferenceOnly() throws Exception {
    String byDigest = ref("team/multi@" + multiDigest);
    try (Hoist hoist = hoist()) {
      PullResult result = hoist.pull(byDigest);

      assertThat(result.reference().digest()).contains(Digest.parse(multiDigest));
      assertThat(result.statusLine())
          .isEqualTo("Status: Downloaded newer image for " + byDigest);
      assertThat(hoist.store().manifests())
          .extracting(d -> d.annotations().get("org.opencontainers.image.ref.name"))
          .containsExactly(ImageReference.parse(byDigest).toString());
    }
  }

  @Test
  void pullsTagAndDigestReferencesByDigest() throws Exception {
    try (Hoist hoist = hoist()) {
      PullResult result = hoist.pull(ref("team/multi:v1@" + multiDigest));

      assertThat(result.digest()).hasToString(multiDigest);
      assertThat(hoist.store().resolve(ref("team/multi@" + multiDigest))).isPresent();
      assertThat(hoist.store().resolve(ref("team/multi:v1"))).isEmpty();
    }
  }

  @Test
  void aSecondPullIsUpToDateAndDownloadsNothing() throws Exception {
    try (Hoist hoist = hoist()) {
      hoist.pull(ref("team/multi:v1"));
      RecordingListener events = new RecordingListener();

      PullResult again = hoist.pull(PullRequest.of(ref("team/multi:v1")), events);

      assertThat(again.tagChanged()).isFalse();
      assertThat(again.bytesDownloaded()).isZero();
      assertThat(again.statusLine()).isEqualTo("Status: Image is up to date for " + ref("team/multi:v1"));
      assertThat(events.layers).isEmpty();
    }
  }

  @Test
  void aLayerSharedByTwoImagesIsDownloadedOnce() throws Exception {
    String baseLayer = shared.base().layerDigests().get(0);
    try (Hoist hoist = hoist()) {
      hoist.pull(ref("team/first:v1"));
      RecordingListener events = new RecordingListener();

      PullResult second = hoist.pull(PullRequest.of(ref("team/second:v1")), events);

      assertThat(events.finals())
          .extracting(e -> e.digest().toString(), LayerEvent::status)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(baseLayer, LayerStatus.ALREADY_EXISTS),
              org.assertj.core.groups.Tuple.tuple(
                  shared.second().layerDigests().get(1), LayerStatus.PULL_COMPLETE));
      long expected = Files.size(shared.second().blob(shared.second().layerDigests().get(1)))
          + Files.size(shared.second().blob(shared.second().configDigest()));
      assertThat(second.bytesDownloaded()).isEqualTo(expected);
      assertThat(second.bytesReused()).isEqualTo(Files.size(shared.base().blob(baseLayer)));
    }
  }

  @Test
  void aMissingTagFailsInDockersWordsAndChangesNothing() throws Exception {
    try (Hoist hoist = hoist()) {
      String before = Files.readString(storeDir.resolve("index.json"));

      assertThatThrownBy(() -> hoist.pull(ref("team/multi:nope")))
          .isInstanceOf(NotFoundException.class)
          .hasMessage("manifest for " + ref("team/multi:nope") + " not found: manifest unknown: manifest unknown");

      assertThat(storeDir.resolve("index.json")).hasContent(before);
      assertThat(storeDir.resolve("blobs/sha256")).isEmptyDirectory();
    }
  }

  @Test
  void aMissingRepositoryFailsNamingIt() throws Exception {
    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(ref("team/absent")))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining(ref("team/absent"));
      assertThat(hoist.store().manifests()).isEmpty();
    }
  }

  @Test
  void anUnreachableRegistryFailsNamingIt() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull("127.0.0.1:" + port + "/team/app"))
          .isInstanceOf(RegistryException.class)
          .hasMessageStartingWith("cannot reach registry 127.0.0.1:" + port + ": connection refused");
      assertThat(hoist.store().manifests()).isEmpty();
    }
  }
}
