package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.platform.Platform;
import dev.hoist.store.ImageRefs;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.MultiPlatformImage;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pulls multi-platform images (OCI image indexes, pushed by {@code skopeo copy --all}) from the
 * real CNCF distribution registry, choosing the platform as docker and containerd do.
 */
class MultiPlatformPullIT {
  private static final String UNKNOWN_TYPE = "application/vnd.example.unknown+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path fixtures;
  @TempDir Path storeDir;
  @TempDir Path work;

  static LocalRegistry registry;
  static MultiPlatformImage multi;
  static MultiPlatformImage noArm64;
  static String indexDigest;

  @BeforeAll
  static void pushImages() throws IOException {
    registry = LocalRegistry.anonymous();
    multi = TestImages.multiPlatform(fixtures);
    noArm64 = multi.withOnly("no-arm64", "linux/amd64", "linux/arm/v7");
    indexDigest = registry.pushAll(multi, "team/multi", "v1");
    registry.pushAll(noArm64, "team/no-arm64", "v1");
  }

  @AfterAll
  static void stopRegistry() throws IOException {
    registry.close();
  }

  private static Hoist hoist(Path store) throws IOException {
    return Hoist.builder().store(store).credentials(CredentialProvider.anonymous()).build();
  }

  private static String ref(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }

  private static PullResult pull(Path store, String ref, String platform) throws IOException {
    PullRequest request = PullRequest.of(ref);
    if (platform != null) {
      request = request.withPlatform(Platform.parse(platform));
    }
    try (Hoist hoist = hoist(store)) {
      return hoist.pull(request, PullListener.NONE);
    }
  }

  @Test
  void theIndexAsPushedListsEveryPlatformAndAnEntryOfUnknownType() throws Exception {
    assertThat(indexDigest).isEqualTo(multi.indexDigest());
    assertThat(multi.images().keySet())
        .containsExactly("linux/amd64", "linux/arm64/v8", "linux/arm/v7", "windows/amd64");
    assertThat(multi.entryMediaTypes()).hasSize(5).startsWith(UNKNOWN_TYPE);
    List<String> layers = new ArrayList<>();
    for (var entry : multi.images().entrySet()) {
      JsonNode config =
          JSON.readTree(entry.getValue().blob(entry.getValue().configDigest()).toFile());
      assertThat(platformOf(config)).as("config platform").isEqualTo(entry.getKey());
      layers.addAll(entry.getValue().layerDigests());
    }
    assertThat(layers).hasSize(8).doesNotHaveDuplicates();
    List<String> inspect = new ArrayList<>(registry.skopeo("inspect", "--tls-verify=false"));
    inspect.addAll(List.of("--raw", "docker://" + ref("team/multi:v1")));
    String raw = Tools.run(inspect, work);
    assertThat(raw).contains(UNKNOWN_TYPE, "\"variant\":\"v7\"", "\"os\":\"windows\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"linux/amd64", "linux/arm64/v8", "linux/arm/v7"})
  void pullsTheManifestOfTheRequestedPlatformAndRecordsTheIndexDigest(String platform)
      throws Exception {
    OciLayoutImage image = multi.image(platform);
    String name = ref("team/multi:v1");
    PullResult result = pull(storeDir, name, platform);

    assertThat(result.digest()).hasToString(indexDigest);
    assertThat(result.imageId()).hasToString(image.configDigest());
    try (Hoist hoist = hoist(storeDir)) {
      Descriptor named = hoist.store().resolve(name).orElseThrow();
      assertThat(named.digest()).hasToString(image.manifestDigest());
      assertThat(named.annotations()).containsEntry(ImageRefs.RESOLVED_DIGEST, indexDigest);
      assertThat(hoist.store().contains(Digest.parse(indexDigest))).isTrue();
    }
    assertThat(indexJsonPlatform(name)).isEqualTo(platform);
    assertThat(storedBlobs()).contains(image.configDigest()).containsAll(image.layerDigests());
    for (OciLayoutImage other : multi.images().values()) {
      if (other != image) {
        assertThat(storedBlobs())
            .doesNotContain(other.configDigest())
            .doesNotContainAnyElementsOf(other.layerDigests());
      }
    }
  }

  @Test
  void theStoreResolvesTheReferenceToADescriptorNamingTheChosenPlatform() throws Exception {
    String name = ref("team/multi:v1");
    pull(storeDir, name, "linux/arm/v7");

    try (Hoist hoist = hoist(storeDir)) {
      Descriptor named = hoist.store().resolve(name).orElseThrow();
      assertThat(named.platform()).as("platform of " + named).isNotNull();
      assertThat(named.platform())
          .extracting(Platform::os, Platform::architecture, Platform::variant)
          .containsExactly("linux", "arm", "v7");
    }
  }

  @Test
  void pullsTheLinuxAmd64ImageByDefaultOnThisAmd64Machine() throws Exception {
    assertThat(Platform.host())
        .extracting(Platform::os, Platform::architecture)
        .as("this test expects a linux/amd64 machine")
        .containsExactly("linux", "amd64");
    String name = ref("team/multi:v1");
    PullResult result = pull(storeDir, name, null);

    OciLayoutImage amd64 = multi.image("linux/amd64");
    assertThat(result.digest()).hasToString(indexDigest);
    assertThat(result.imageId()).hasToString(amd64.configDigest());
    assertThat(resolved(storeDir, name)).hasToString(amd64.manifestDigest());
  }

  @Test
  void linuxArm64AndLinuxArm64V8PickTheSameArm64Entry() throws Exception {
    String name = ref("team/multi:v1");
    Path other = Files.createDirectories(work.resolve("other-store"));
    PullResult plain = pull(storeDir, name, "linux/arm64");
    PullResult v8 = pull(other, name, "linux/arm64/v8");

    OciLayoutImage arm64 = multi.image("linux/arm64/v8");
    assertThat(plain.imageId()).hasToString(arm64.configDigest());
    assertThat(v8.imageId()).hasToString(arm64.configDigest());
    assertThat(resolved(storeDir, name)).hasToString(arm64.manifestDigest());
    assertThat(resolved(other, name)).hasToString(arm64.manifestDigest());
  }

  @Test
  void armV6FindsNoMatchInAnIndexWhoseOnlyArmImageIsV7() throws Exception {
    // containerd: an arm/v6 machine runs v6 and v5, never v7.
    assertThatThrownBy(() -> pull(storeDir, ref("team/multi:v1"), "linux/arm/v6"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessage("no matching manifest for linux/arm/v6 in the manifest list entries");
    assertStoreIsEmpty();
  }

  @Test
  void arm64FallsBackToArmV7WhenTheIndexHasNoArm64Image() throws Exception {
    String name = ref("team/no-arm64:v1");
    PullResult result = pull(storeDir, name, "linux/arm64");

    OciLayoutImage armV7 = noArm64.image("linux/arm/v7");
    assertThat(result.digest()).hasToString(noArm64.indexDigest());
    assertThat(result.imageId()).hasToString(armV7.configDigest());
    assertThat(resolved(storeDir, name)).hasToString(armV7.manifestDigest());
  }

  @Test
  void aPlatformNoEntryMatchesFailsWithDockersMessageAndLeavesTheStoreEmpty() throws Exception {
    // The index's first entry has no platform; were its unknown media type not skipped, it would
    // be taken as the fallback that matches any platform.
    assertThatThrownBy(() -> pull(storeDir, ref("team/multi:v1"), "linux/s390x"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessage("no matching manifest for linux/s390x in the manifest list entries");
    assertStoreIsEmpty();
  }

  @Test
  void aWindowsImageIsRefusedBeforeAnyOfItsBlobsAreFetched() throws Exception {
    OciLayoutImage windows = multi.image("windows/amd64");
    List<String> before = Files.readAllLines(registry.logFile());

    assertThatThrownBy(() -> pull(storeDir, ref("team/multi:v1"), "windows/amd64"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessage("image operating system \"windows\" cannot be used on this platform (linux)");

    List<String> log = Files.readAllLines(registry.logFile());
    List<String> requests =
        log.subList(before.size(), log.size()).stream()
            .filter(l -> l.contains("http.request.uri="))
            .toList();
    assertThat(requests)
        .anyMatch(l -> l.contains("/manifests/"))
        .noneMatch(l -> l.contains("/blobs/"));
    assertThat(storedBlobs())
        .doesNotContain(windows.configDigest())
        .doesNotContainAnyElementsOf(windows.layerDigests());
    assertStoreIsEmpty();
  }

  @Test
  void pullsByIndexDigest() throws Exception {
    String name = ref("team/multi@" + indexDigest);
    PullResult result = pull(storeDir, name, "linux/arm/v7");

    OciLayoutImage armV7 = multi.image("linux/arm/v7");
    assertThat(result.digest()).hasToString(indexDigest);
    assertThat(result.imageId()).hasToString(armV7.configDigest());
    assertThat(resolved(storeDir, name)).hasToString(armV7.manifestDigest());
    assertThat(storedBlobs()).contains(indexDigest);
  }

  @Test
  void pullsByThePlatformManifestDigestAsASingleImage() throws Exception {
    OciLayoutImage arm64 = multi.image("linux/arm64/v8");
    String name = ref("team/multi@" + arm64.manifestDigest());
    PullResult result = pull(storeDir, name, null);

    assertThat(result.digest()).hasToString(arm64.manifestDigest());
    assertThat(result.imageId()).hasToString(arm64.configDigest());
    assertThat(resolved(storeDir, name)).hasToString(arm64.manifestDigest());
    assertThat(storedBlobs()).doesNotContain(indexDigest).containsAll(arm64.layerDigests());
  }

  @Test
  void aSecondPullByIndexDigestNeedsNoRegistry() throws Exception {
    String name;
    String digest;
    try (LocalRegistry own = LocalRegistry.anonymous()) {
      digest = own.pushAll(multi, "team/offline", "v1");
      name = own.host() + "/team/offline@" + digest;
      try (Hoist hoist = hoist(storeDir)) {
        PullResult first = hoist.pull(PullRequest.of(name), PullListener.NONE);
        assertThat(first.digest()).hasToString(digest);
        assertThat(hoist.store().contains(Digest.parse(digest))).isTrue();
      }
    }

    PullResult second = pull(storeDir, name, null);

    OciLayoutImage amd64 = multi.image("linux/amd64");
    assertThat(second.digest()).hasToString(digest);
    assertThat(second.imageId()).hasToString(amd64.configDigest());
    assertThat(second.tagChanged()).isFalse();
    assertThat(second.bytesDownloaded()).isZero();
    assertThat(resolved(storeDir, name)).hasToString(amd64.manifestDigest());
  }

  @Test
  void skopeoReadsTheChosenPlatformFromTheStore() throws Exception {
    String name = ref("team/multi:v1");
    pull(storeDir, name, "linux/arm/v7");

    String inspected =
        Tools.run(List.of("skopeo", "inspect", "oci:" + storeDir + ":" + name), storeDir);
    assertThat(inspected)
        .contains("\"Architecture\": \"arm\"", "\"Os\": \"linux\"")
        .contains(multi.image("linux/arm/v7").layerDigests());
  }

  private static Digest resolved(Path store, String name) throws IOException {
    try (Hoist hoist = hoist(store)) {
      return hoist.store().resolve(name).orElseThrow().digest();
    }
  }

  /** The platform of the {@code index.json} entry named {@code name}, as {@code os/arch[/v]}. */
  private String indexJsonPlatform(String name) throws IOException {
    JsonNode index = JSON.readTree(storeDir.resolve("index.json").toFile());
    for (JsonNode entry : index.path("manifests")) {
      if (name.equals(entry.path("annotations").path(ImageRefs.REF_NAME).asText())) {
        return platformOf(entry.path("platform"));
      }
    }
    throw new AssertionError("no " + name + " in " + index);
  }

  /** {@code os/architecture[/variant]} of a platform object or an image config. */
  private static String platformOf(JsonNode node) {
    String variant = node.path("variant").asText();
    return node.path("os").asText()
        + "/"
        + node.path("architecture").asText()
        + (variant.isEmpty() ? "" : "/" + variant);
  }

  /** The digests of every blob in the store. */
  private List<String> storedBlobs() throws IOException {
    Path dir = storeDir.resolve("blobs/sha256");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> "sha256:" + p.getFileName()).toList();
    }
  }

  private void assertStoreIsEmpty() throws IOException {
    try (Hoist hoist = hoist(storeDir)) {
      assertThat(hoist.store().manifests()).isEmpty();
    }
    assertThat(storedBlobs()).isEmpty();
  }
}
