package dev.hoist.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.pull.PullListener;
import dev.hoist.pull.PullRequest;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.ImageRefs;
import dev.hoist.store.StoreLease;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** images, inspect, tag, rmi, prune, gc and verify over stores filled by real pulls. */
class ImageCatalogIT {
  @TempDir static Path fixtures;
  @TempDir Path storeDir;

  static LocalRegistry registry;
  static TestImages.SharedBase shared;
  static OciLayoutImage multi;

  Hoist hoist;
  ImageCatalog images;

  @BeforeAll
  static void pushImages() throws IOException {
    registry = LocalRegistry.anonymous();
    shared = TestImages.sharingBase(fixtures);
    multi = TestImages.multiLayer(fixtures);
    registry.push(shared.first(), "team/first", "v1");
    registry.push(shared.second(), "team/second", "v1");
    registry.push(shared.second(), "team/moving", "v1");
    registry.push(multi, "team/multi", "v1");
  }

  @AfterAll
  static void stopRegistry() throws IOException {
    registry.close();
  }

  @BeforeEach
  void pullImages() throws IOException {
    hoist = Hoist.builder().store(storeDir).credentials(CredentialProvider.anonymous()).build();
    images = hoist.images();
    pull("team/first:v1");
    pull("team/second:v1");
  }

  @org.junit.jupiter.api.AfterEach
  void closeHoist() {
    hoist.close();
  }

  private void pull(String repoAndTag) throws IOException {
    hoist.pull(PullRequest.of(ref(repoAndTag)), PullListener.NONE);
  }

  private static String ref(String repoAndTag) {
    return registry.host() + "/" + repoAndTag;
  }

  private Set<String> blobs() throws IOException {
    try (Stream<Path> files = Files.list(storeDir.resolve("blobs/sha256"))) {
      return files.map(p -> "sha256:" + p.getFileName()).collect(Collectors.toSet());
    }
  }

  @Test
  void listsEachImageWithItsIdReferencesAndSize() throws Exception {
    List<LocalImage> list = images.list();

    assertThat(list).extracting(i -> i.id().toString())
        .containsExactlyInAnyOrder(shared.first().configDigest(), shared.second().configDigest());
    LocalImage first = images.get(ref("team/first:v1"));
    assertThat(first.tags()).extracting(ImageReference::familiarString).containsExactly(ref("team/first:v1"));
    assertThat(first.digests()).extracting(ImageReference::familiarString)
        .containsExactly(ref("team/first") + "@" + shared.first().manifestDigest());
    assertThat(first.isDangling()).isFalse();
    long blobBytes = Files.size(shared.first().blob(shared.first().manifestDigest()))
        + Files.size(shared.first().blob(shared.first().configDigest()));
    for (String layer : shared.first().layerDigests()) {
      blobBytes += Files.size(shared.first().blob(layer));
    }
    assertThat(first.size()).isEqualTo(blobBytes);
    assertThat(first.created()).isPresent();
  }

  @Test
  void findsAnImageByTagDigestIdAndUniqueIdPrefixAsDockerDoes() throws Exception {
    String id = shared.first().configDigest();
    String hex = id.substring("sha256:".length());

    assertThat(images.get(ref("team/first:v1")).id()).hasToString(id);
    assertThat(images.get(ref("team/first") + "@" + shared.first().manifestDigest()).id()).hasToString(id);
    assertThat(images.get(id).id()).hasToString(id);
    assertThat(images.get(hex.substring(0, 12)).id()).hasToString(id);
    assertThat(images.find(ref("team/first"))).as("latest is not pulled").isEmpty();
    assertThatThrownBy(() -> images.get(ref("team/first:nope")))
        .isInstanceOf(NoSuchImageException.class)
        .hasMessage("No such image: " + ref("team/first:nope"));
  }

  @Test
  void tagPointsANewNameAtTheSameImageThatOciToolsRead() throws Exception {
    images.tag(ref("team/first:v1"), "example.org/mine:prod");

    LocalImage image = images.get("example.org/mine:prod");
    assertThat(image.id()).hasToString(shared.first().configDigest());
    JsonNode inspected = images.inspect("example.org/mine:prod");
    assertThat(inspected.get("Id").asText()).isEqualTo(shared.first().configDigest());
    assertThat(inspected.get("RepoTags")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder(ref("team/first:v1"), "example.org/mine:prod");
    assertThat(inspected.at("/RootFS/Layers")).hasSize(2);
    assertThat(inspected.at("/Descriptor/digest").asText()).isEqualTo(shared.first().manifestDigest());
    assertThat(inspected.get("Os").asText()).isEqualTo("linux");
    String skopeo = Tools.run(
        List.of("skopeo", "inspect", "oci:" + storeDir + ":example.org/mine:prod"), storeDir);
    assertThat(skopeo).contains(shared.first().manifestDigest());
    assertThatThrownBy(() -> images.tag(ref("team/first:v1"), "Bad Name"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void removingOneOfTwoImagesSharingALayerKeepsTheSharedBlobAndTheOtherStillVerifies()
      throws Exception {
    Set<String> before = blobs();

    Removal removal = images.remove(ref("team/first:v1"), false);

    assertThat(removal.untagged()).containsExactly(
        ref("team/first:v1"), ref("team/first") + "@" + shared.first().manifestDigest());
    assertThat(removal.deleted().get(0)).hasToString(shared.first().configDigest());
    String sharedLayer = shared.first().layerDigests().get(0);
    String ownLayer = shared.first().layerDigests().get(1);
    assertThat(removal.deleted()).extracting(Digest::toString)
        .contains(ownLayer, shared.first().manifestDigest())
        .doesNotContain(sharedLayer);
    Set<String> after = blobs();
    assertThat(after).contains(sharedLayer).doesNotContain(ownLayer, shared.first().configDigest());
    assertThat(before.size() - after.size()).isEqualTo(removal.deleted().size());
    assertThat(images.find(ref("team/first:v1"))).isEmpty();
    assertThat(hoist.verify(false).ok()).isTrue();
    assertThat(Tools.run(List.of("skopeo", "inspect", "oci:" + storeDir + ":" + ref("team/second:v1")), storeDir))
        .contains(shared.second().manifestDigest());
  }

  @Test
  void removingOneOfTwoTagsOnlyUntags() throws Exception {
    images.tag(ref("team/first:v1"), ref("team/first:v2"));
    Set<String> before = blobs();

    Removal removal = images.remove(ref("team/first:v1"), false);

    assertThat(removal.untagged()).containsExactly(ref("team/first:v1"));
    assertThat(removal.deleted()).isEmpty();
    assertThat(blobs()).isEqualTo(before);
    assertThat(images.get(ref("team/first:v2")).digests()).hasSize(1);
  }

  @Test
  void removingByIdRefusesAnImageOfSeveralRepositoriesUnlessForced() throws Exception {
    images.tag(ref("team/first:v1"), "example.org/other:v1");
    String id = shared.first().configDigest();

    assertThatThrownBy(() -> images.remove(id.substring(7, 19), false))
        .isInstanceOf(ImageConflictException.class)
        .hasMessage("conflict: unable to delete " + id.substring(7, 19)
            + " (must be forced) - image is referenced in multiple repositories");
    assertThat(images.find(id)).isPresent();

    Removal removal = images.remove(id, true);
    assertThat(removal.untagged()).containsExactlyInAnyOrder(ref("team/first:v1"),
        ref("team/first") + "@" + shared.first().manifestDigest(), "example.org/other:v1");
    assertThat(removal.deleted()).isNotEmpty();
    assertThat(images.find(id)).isEmpty();
    assertThatThrownBy(() -> images.remove(id, true)).isInstanceOf(NoSuchImageException.class);
  }

  @Test
  void pruneRemovesOnlyImagesThatLostTheirTag() throws Exception {
    pull("team/moving:v1"); // the same image as team/second
    images.tag(ref("team/first:v1"), ref("team/moving:v1")); // the tag moves away from it
    images.remove(ref("team/second:v1"), false);
    // team/second's image is now named only by team/moving@digest: dangling
    LocalImage dangling = images.get(shared.second().configDigest());
    assertThat(dangling.isDangling()).isTrue();
    String secondOwnLayer = shared.second().layerDigests().get(1);

    Removal removal = images.pruneDangling();

    assertThat(removal.untagged()).containsExactly(ref("team/moving") + "@" + shared.second().manifestDigest());
    assertThat(removal.deleted()).extracting(Digest::toString)
        .contains(shared.second().configDigest(), secondOwnLayer)
        .doesNotContain(shared.first().layerDigests().get(0));
    assertThat(images.list()).extracting(i -> i.id().toString()).containsExactly(shared.first().configDigest());
    assertThat(images.pruneDangling()).isEqualTo(Removal.NOTHING);
    assertThat(hoist.verify(false).ok()).isTrue();
  }

  @Test
  void pruningTwoDanglingImagesSharingALayerDeletesImageByImageAndTheSharedLayerOnce()
      throws Exception {
    Set<String> before = blobs();
    // Only the digest references stay: both images dangle.
    hoist.store().refs().remove(entry -> !ImageRefs.nameOf(entry).contains("@"));

    Removal removal = images.pruneDangling();

    assertThat(removal.untagged()).containsExactlyInAnyOrder(
        ref("team/first") + "@" + shared.first().manifestDigest(),
        ref("team/second") + "@" + shared.second().manifestDigest());
    List<String> deleted = removal.deleted().stream().map(Digest::toString).toList();
    // As docker reports a prune: image by image, each image's ID before the rest of its blobs.
    assertThat(deleted.get(0)).isIn(shared.first().configDigest(), shared.second().configDigest());
    assertThat(deleted.indexOf(shared.first().configDigest()))
        .isLessThan(deleted.indexOf(shared.first().manifestDigest()));
    assertThat(deleted.indexOf(shared.second().configDigest()))
        .isLessThan(deleted.indexOf(shared.second().manifestDigest()));
    assertThat(removal.deleted()).extracting(Digest::toString)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(before);
    assertThat(blobs()).isEmpty();
    assertThat(images.list()).isEmpty();
    assertThat(hoist.verify(false).ok()).isTrue();
  }

  @Test
  void anImageNamedOnlyByItsIdAsLoadsRecordUntaggedOnesIsDanglingAndPrunable() throws Exception {
    LocalImage first = images.get(ref("team/first:v1"));
    hoist.store().refs().tag(first.manifest(), List.of(first.id().toString()));
    images.remove(ref("team/first:v1"), false); // its names go; the ID-named entry keeps it

    LocalImage untagged = images.get(first.id().toString());
    assertThat(untagged.tags()).isEmpty();
    assertThat(untagged.digests()).isEmpty();
    assertThat(untagged.otherNames()).isEmpty();
    assertThat(untagged.isDangling()).isTrue();
    assertThat(hoist.collectGarbage().deletedBlobs()).as("the ID-named entry keeps its blobs").isEmpty();

    Removal removal = images.pruneDangling();
    assertThat(removal.untagged()).isEmpty();
    assertThat(removal.deleted().get(0)).isEqualTo(first.id());
    assertThat(images.find(first.id().toString())).isEmpty();
    assertThat(hoist.verify(false).ok()).isTrue();
  }

  @Test
  void garbageCollectionFreesExactlyTheUnreferencedBlobsAndPartialDownloads() throws Exception {
    Set<String> referenced = blobs();
    byte[] stray = "left by an interrupted pull".getBytes();
    Digest strayDigest = Digest.sha256(stray);
    hoist.store().write(Descriptor.of("application/octet-stream", strayDigest, stray.length), stray);
    Path partial = storeDir.resolve(".hoist/ingest/sha256-" + "ab".repeat(32));
    Files.write(partial, new byte[1000]);

    GarbageCollector.Report report = hoist.collectGarbage();

    assertThat(report.deletedBlobs()).containsExactly(strayDigest);
    assertThat(report.blobBytes()).isEqualTo(stray.length);
    assertThat(report.partialBytes()).isEqualTo(1000);
    assertThat(blobs()).isEqualTo(referenced);
    assertThat(partial).doesNotExist();
    assertThat(hoist.verify(false).ok()).isTrue();
    assertThat(hoist.collectGarbage().deletedBlobs()).isEmpty();
  }

  @Test
  void garbageCollectionWaitsForARunningPull() throws Exception {
    CompletableFuture<GarbageCollector.Report> collection;
    try (StoreLease pullInProgress = hoist.store().lease()) {
      collection = CompletableFuture.supplyAsync(() -> {
        try {
          return hoist.collectGarbage();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Thread.sleep(300);
      assertThat(collection).isNotDone();
    }
    assertThat(collection.get(30, TimeUnit.SECONDS).deletedBlobs()).isEmpty();
  }

  @Test
  void verifyFindsABlobCorruptedOnDiskAndRepairRemovesTheImageThatNeedsIt() throws Exception {
    String ownLayer = shared.first().layerDigests().get(1);
    Path blob = storeDir.resolve("blobs/sha256/" + ownLayer.substring(7));
    blob.toFile().setWritable(true);
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= 1;
    Files.write(blob, bytes);

    StoreVerifier.Report report = hoist.verify(false);

    assertThat(report.ok()).isFalse();
    assertThat(report.problems()).anyMatch(p -> p.startsWith("blob " + ownLayer + " is corrupt"));
    assertThat(report.problems()).contains(
        "image " + ref("team/first:v1") + ": layer " + ownLayer + " is corrupt");
    assertThat(report.problems()).noneMatch(p -> p.contains("team/second"));
    assertThat(blob).exists(); // reporting changes nothing

    StoreVerifier.Report repaired = hoist.verify(true);
    assertThat(repaired.removed()).contains("blob " + ownLayer, "index entry " + ref("team/first:v1"));
    assertThat(hoist.verify(false).ok()).isTrue();
    assertThat(images.find(ref("team/first:v1"))).isEmpty();
    assertThat(images.find(ref("team/second:v1"))).isPresent();
    pull("team/first:v1"); // pulling again restores it
    assertThat(hoist.verify(false).ok()).isTrue();
  }
}
