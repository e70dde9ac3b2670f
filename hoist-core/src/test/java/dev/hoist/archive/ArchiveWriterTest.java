package dev.hoist.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.MediaTypes;
import dev.hoist.platform.Platform;
import dev.hoist.store.OciStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving images of a store built here, read back entry by entry. */
class ArchiveWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] BASE = TestArchive.gzip(TestArchive.layer(Map.of("etc/motd", "hello\n")));
  private static final byte[] ONE = TestArchive.gzip(TestArchive.layer(Map.of("srv/one", "1\n")));
  private static final byte[] TWO = TestArchive.gzip(TestArchive.layer(Map.of("srv/two", "2\n")));

  @TempDir Path work;
  OciStore store;
  Digest oneManifest;
  Digest twoManifest;

  @BeforeEach
  void storeTwoImagesSharingABaseLayer() throws IOException {
    store = OciStore.open(work.resolve("store"));
    oneManifest = put(List.of(BASE, ONE), "docker.io/library/app:one");
    twoManifest = put(List.of(BASE, TWO), "docker.io/library/app:two", "example.com/team/app:2");
  }

  /** Stores an image of these gzip layers, tagged as a pull tags it; returns its manifest digest. */
  private Digest put(List<byte[]> layers, String... names) throws IOException {
    Digest[] diffIds = layers.stream().map(l -> Digest.sha256(gunzip(l))).toArray(Digest[]::new);
    byte[] config = TestArchive.config(diffIds);
    store.write(Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length), config);
    for (byte[] layer : layers) {
      store.write(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(layer), layer.length), layer);
    }
    byte[] manifest = TestArchive.ociManifest(config,
        layers.stream().map(l -> Map.entry(MediaTypes.OCI_LAYER_GZIP, l)).toList());
    Descriptor d = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length,
        List.of(), Map.of(), Platform.of("linux", "amd64", ""));
    store.write(d, manifest);
    store.refs().tag(d, List.of(names));
    return d.digest();
  }

  private static byte[] gunzip(byte[] gz) {
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void writesDockersLayoutWithEachSharedBlobOnce() throws Exception {
    Path file = work.resolve("out.tar");

    new ArchiveWriter(store).save(List.of("app"), file); // a bare name: every tag, as docker

    Map<String, byte[]> entries = read(file);
    assertThat(entries.keySet()).startsWith("blobs/", "blobs/sha256/")
        .endsWith("index.json", "manifest.json", "oci-layout")
        .filteredOn(n -> n.equals("blobs/sha256/" + Digest.sha256(BASE).hex())).hasSize(1);
    List<String> blobs = entries.keySet().stream()
        .filter(n -> n.startsWith("blobs/sha256/") && n.length() > 13).toList();
    assertThat(blobs).hasSize(7).isSorted(); // two manifests, two configs, three layers
    JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
    assertThat(manifest).hasSize(2);
    assertThat(manifest.get(0).path("RepoTags").get(0).asText()).isEqualTo("app:one");
    assertThat(manifest.get(1).path("RepoTags").get(0).asText()).isEqualTo("app:two");
    assertThat(manifest.get(0).path("Layers").get(0).asText()).isEqualTo("blobs/sha256/" + Digest.sha256(BASE).hex());
    JsonNode index = JSON.readTree(entries.get("index.json"));
    assertThat(index.path("manifests")).hasSize(2);
    JsonNode first = index.path("manifests").get(0);
    assertThat(first.path("digest").asText()).isEqualTo(oneManifest.toString());
    assertThat(first.path("annotations").path("io.containerd.image.name").asText()).isEqualTo("docker.io/library/app:one");
    assertThat(first.path("annotations").path("org.opencontainers.image.ref.name").asText()).isEqualTo("one");
    assertThat(first.path("platform").path("architecture").asText()).isEqualTo("amd64");
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      if (e.getKey().startsWith("blobs/sha256/") && e.getValue().length > 0) {
        assertThat(Digest.sha256(e.getValue()).hex()).isEqualTo(e.getKey().substring(13));
      }
    }
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
  }

  @Test
  void anImageNamedTwiceIsSavedOnceWithBothTags() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    new ArchiveWriter(store).save(List.of("app:two", "example.com/team/app:2", "app:two"), out);

    Path file = Files.write(work.resolve("two.tar"), out.toByteArray());
    JsonNode manifest = JSON.readTree(read(file).get("manifest.json"));
    assertThat(manifest).hasSize(1);
    assertThat(manifest.get(0).path("RepoTags")).extracting(JsonNode::asText)
        .containsExactly("app:two", "example.com/team/app:2");
  }

  @Test
  void savingTwiceGivesTheSameBytes() throws Exception {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    ByteArrayOutputStream second = new ByteArrayOutputStream();

    new ArchiveWriter(store).save(List.of("app:one", "app:two"), first);
    new ArchiveWriter(store).save(List.of("app:one", "app:two"), second);

    assertThat(first.toByteArray()).isEqualTo(second.toByteArray());
  }

  @Test
  void anImageSavedByIdHasNoTags() throws Exception {
    Digest id = Digest.sha256(TestArchive.config(
        Digest.sha256(gunzip(BASE)), Digest.sha256(gunzip(ONE))));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    new ArchiveWriter(store).save(List.of(id.toString()), out);

    Map<String, byte[]> entries = read(Files.write(work.resolve("id.tar"), out.toByteArray()));
    JsonNode item = JSON.readTree(entries.get("manifest.json")).get(0);
    assertThat(item.path("Config").asText()).isEqualTo("blobs/sha256/" + id.hex());
    assertThat(item.path("RepoTags").isNull()).isTrue();
    assertThat(JSON.readTree(entries.get("index.json")).path("manifests")).isEmpty();
  }

  @Test
  void anImageSavedByAShortIdPrefixIsThatImageWithoutTags() throws Exception {
    Digest id = Digest.sha256(TestArchive.config(
        Digest.sha256(gunzip(BASE)), Digest.sha256(gunzip(TWO))));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    new ArchiveWriter(store).save(List.of(id.hex().substring(0, 6)), out); // as inspect and rmi take it

    Map<String, byte[]> entries = read(Files.write(work.resolve("prefix.tar"), out.toByteArray()));
    JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
    assertThat(manifest).hasSize(1);
    assertThat(manifest.get(0).path("Config").asText()).isEqualTo("blobs/sha256/" + id.hex());
    assertThat(manifest.get(0).path("RepoTags").isNull()).isTrue();
  }

  @Test
  void aMissingImageIsDockersErrorAndWritesNoFile() throws Exception {
    Path file = work.resolve("out.tar");

    assertThatThrownBy(() -> new ArchiveWriter(store).save(List.of("app:one", "nope"), file))
        .isInstanceOf(IOException.class)
        .hasMessage("No such image: nope");
    assertThatThrownBy(() -> new ArchiveWriter(store).save(List.of("app:three"), file))
        .hasMessage("No such image: app:three");
    try (Stream<Path> files = Files.list(work)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("store");
    }
  }

  @Test
  void aDamagedBlobFailsTheSaveAndLeavesNoFile() throws Exception {
    Path blob = store.blobPath(Digest.sha256(TWO));
    Files.setPosixFilePermissions(blob, PosixFilePermissions.fromString("rw-r--r--"));
    byte[] damaged = TWO.clone();
    damaged[damaged.length / 2] ^= 1;
    Files.write(blob, damaged);
    Path file = work.resolve("out.tar");

    assertThatThrownBy(() -> new ArchiveWriter(store).save(List.of("app:two"), file))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("blob " + Digest.sha256(TWO) + " in the store is damaged");
    try (Stream<Path> files = Files.list(work)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("store");
    }
  }

  @Test
  void whatIsSavedLoadsIntoAnotherStoreAsTheSameImages() throws Exception {
    Path file = work.resolve("out.tar");
    new ArchiveWriter(store).save(List.of("app:one", "app:two"), file);
    OciStore other = OciStore.open(work.resolve("other"));

    List<LoadedImage> loaded = new ArchiveReader(other).load(file, LoadListener.NONE);

    assertThat(loaded).extracting(LoadedImage::statusLine)
        .containsExactly("Loaded image: app:one", "Loaded image: app:two");
    assertThat(other.resolve("docker.io/library/app:one").orElseThrow().digest()).isEqualTo(oneManifest);
    assertThat(other.resolve("docker.io/library/app:two").orElseThrow().digest()).isEqualTo(twoManifest);
    assertThat(loaded.get(0).reference()).isEqualTo(Optional.of(dev.hoist.reference.ImageReference.parse("app:one")));
  }

  private static Map<String, byte[]> read(Path file) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (TarFile tar = new TarFile(file)) {
      for (TarArchiveEntry e : tar.getEntries()) {
        try (var in = tar.getInputStream(e)) {
          entries.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return entries;
  }
}
