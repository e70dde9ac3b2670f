package dev.hoist.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.Manifests;
import dev.hoist.pull.PullResult;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.OciStore;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.LocalRegistry.ManifestFormat;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import dev.hoist.unpack.UnpackOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save and load against tools no one here wrote: skopeo reads what hoist saves
 * ({@code docker-archive:} and {@code oci-archive:}) and umoci unpacks it; hoist loads what skopeo
 * writes, to the image IDs a pull from the real registry gives.
 */
class ArchiveIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path fixtures;
  @TempDir Path work;
  static LocalRegistry registry;
  static OciLayoutImage multi;
  static TestImages.SharedBase shared;

  @BeforeAll
  static void pushImages() throws IOException {
    registry = LocalRegistry.anonymous();
    multi = TestImages.multiLayer(fixtures);
    shared = TestImages.sharingBase(fixtures);
    registry.push(multi, "team/multi", "v1");
    registry.push(multi, "team/docker", "v1", ManifestFormat.DOCKER_V2S2);
    registry.push(shared.first(), "team/first", "v1");
    registry.push(shared.second(), "team/second", "v1");
  }

  @AfterAll
  static void stopRegistry() throws IOException {
    registry.close();
  }

  private Hoist hoist(String store) throws IOException {
    return Hoist.builder().store(work.resolve(store)).credentials(CredentialProvider.anonymous()).build();
  }

  private String ref(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }

  @Test
  void whatHoistSavesSkopeoReadsAsADockerArchiveAndUmociUnpacks() throws Exception {
    Path archive = work.resolve("multi.tar");
    try (Hoist hoist = hoist("store")) {
      hoist.pull(ref("team/multi:v1"));
      hoist.save(List.of(ref("team/multi:v1")), archive);
    }

    JsonNode generated = JSON.readTree(skopeo("inspect", "--raw", "docker-archive:" + archive));
    assertThat(generated.path("config").path("digest").asText()).isEqualTo(multi.configDigest());
    JsonNode inspected = JSON.readTree(skopeo("inspect", "docker-archive:" + archive));
    assertThat(inspected.path("RepoTags").toString()).doesNotContain("error");
    Path exact = work.resolve("exact");
    skopeo("copy", "--preserve-digests", "docker-archive:" + archive, "oci:" + exact + ":exact");
    assertThat(configDigestIn(exact)).as("the config byte for byte").isEqualTo(multi.configDigest());
    // Converting to OCI, skopeo rewrites the config in OCI form (a new digest), same layers.
    Path layout = work.resolve("copied");
    skopeo("copy", "docker-archive:" + archive, "oci:" + layout + ":copied");
    JsonNode copiedConfig = JSON.readTree(skopeo("inspect", "--config", "oci:" + layout + ":copied"));
    JsonNode originalConfig = JSON.readTree(multi.blob(multi.configDigest()).toFile());
    assertThat(copiedConfig.path("rootfs")).isEqualTo(originalConfig.path("rootfs"));
    JsonNode asOci = JSON.readTree(skopeo("inspect", "--raw", "oci-archive:" + archive));
    assertThat(asOci.path("config").path("digest").asText()).isEqualTo(multi.configDigest());
    assertThat(asOci.path("layers")).extracting(l -> l.path("digest").asText())
        .containsExactlyElementsOf(multi.layerDigests());
    Path bundle = work.resolve("bundle");
    Tools.run(List.of("umoci", "unpack", "--rootless", "--image", layout + ":copied", bundle.toString()), work);
    assertThat(bundle.resolve("rootfs/etc/passwd")).isRegularFile();
    assertThat(bundle.resolve("rootfs/usr/share/common-licenses/Apache-2.0")).as("whiteout applied").doesNotExist();
  }

  @Test
  void loadsSkopeosDockerArchiveToTheImageIdOfAPull() throws Exception {
    Path archive = work.resolve("docker.tar");
    skopeo("copy", "--src-tls-verify=false", "docker://" + ref("team/docker:v1"),
        "docker-archive:" + archive + ":team/docker:v1");
    PullResult pulled;
    try (Hoist hoist = hoist("pulled")) {
      pulled = hoist.pull(ref("team/docker:v1"));
      hoist.unpack(pulled.reference(), work.resolve("pulled-rootfs"), UnpackOptions.defaults(), n -> {});
    }

    List<LoadedImage> loaded;
    try (Hoist hoist = hoist("loaded")) {
      loaded = hoist.load(archive, LoadListener.NONE);
      hoist.unpack(ImageReference.parse("team/docker:v1"), work.resolve("loaded-rootfs"),
          UnpackOptions.defaults(), n -> {});
    }

    assertThat(loaded).containsExactly(
        new LoadedImage(Optional.of(ImageReference.parse("team/docker:v1")), pulled.imageId()));
    assertThat(tree(work.resolve("loaded-rootfs"))).isEqualTo(tree(work.resolve("pulled-rootfs")));
  }

  @Test
  void loadsSkopeosOciArchiveToTheImageIdOfAPull() throws Exception {
    Path archive = work.resolve("oci.tar");
    skopeo("copy", "--src-tls-verify=false", "docker://" + ref("team/multi:v1"),
        "oci-archive:" + archive + ":team/multi:v1");

    List<LoadedImage> loaded;
    try (Hoist hoist = hoist("loaded")) {
      loaded = hoist.load(archive, LoadListener.NONE);
      Path rootfs = hoist.unpack(ImageReference.parse("team/multi:v1"), work.resolve("rootfs"),
          UnpackOptions.defaults(), n -> {});
      assertThat(rootfs.resolve("etc/passwd")).isRegularFile();
    }

    assertThat(loaded).extracting(LoadedImage::statusLine).containsExactly("Loaded image: team/multi:v1");
    assertThat(loaded.get(0).imageId()).hasToString(multi.configDigest());
  }

  @Test
  void twoImagesSharingALayerRoundTripToTheSameIdsTagsAndBlobs() throws Exception {
    Path archive = work.resolve("both.tar");
    List<String> names = List.of(ref("team/first:v1"), ref("team/second:v1"));
    List<PullResult> pulled = new ArrayList<>();
    OciStore source;
    try (Hoist hoist = hoist("source")) {
      for (String name : names) {
        pulled.add(hoist.pull(name));
      }
      hoist.save(names, archive);
      source = hoist.store();
    }

    List<LoadedImage> loaded;
    OciStore target;
    try (Hoist hoist = hoist("target")) {
      loaded = hoist.load(archive, LoadListener.NONE);
      target = hoist.store();
    }

    assertThat(loaded).extracting(LoadedImage::imageId)
        .containsExactly(pulled.get(0).imageId(), pulled.get(1).imageId());
    assertThat(loaded).extracting(l -> l.reference().orElseThrow().toString())
        .containsExactly(names.get(0), names.get(1));
    for (String name : names) {
      Descriptor was = source.resolve(name).orElseThrow();
      Descriptor is = target.resolve(name).orElseThrow();
      assertThat(is.digest()).as(name).isEqualTo(was.digest());
      assertThat(blobs(target, is)).isEqualTo(blobs(source, was));
    }
    assertThat(shared.first().layerDigests().get(0)).isEqualTo(shared.second().layerDigests().get(0));
  }

  /** The config digest of the only image of an OCI layout, read from its files. */
  private static String configDigestIn(Path layout) throws IOException {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    String manifest = index.path("manifests").get(0).path("digest").asText();
    JsonNode m = JSON.readTree(layout.resolve("blobs").resolve(manifest.replace(':', '/')).toFile());
    return m.path("config").path("digest").asText();
  }

  /** Every blob of an image (manifest, config, layers) and the sha256 of its bytes in the store. */
  private static Map<String, String> blobs(OciStore store, Descriptor manifest) throws IOException {
    ImageManifest m = (ImageManifest) Manifests.parse(store.read(manifest.digest(), 1 << 22), manifest.mediaType());
    List<Digest> digests = new ArrayList<>(List.of(manifest.digest(), m.config().digest()));
    m.layers().forEach(l -> digests.add(l.digest()));
    Map<String, String> result = new TreeMap<>();
    for (Digest d : digests) {
      result.put(d.toString(), Digest.sha256(Files.readAllBytes(store.blobPath(d))).toString());
    }
    return result;
  }

  private static Map<String, Long> tree(Path root) throws IOException {
    Map<String, Long> entries = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        entries.put(root.relativize(p).toString(),
            Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : -1L);
      }
    }
    return entries;
  }

  private String skopeo(String command, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(registry.skopeo(command));
    cmd.addAll(List.of(args));
    return Tools.run(cmd, work);
  }
}
