package dev.hoist.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.Manifests;
import dev.hoist.image.MediaTypes;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.OciStore;
import dev.hoist.unpack.UnpackOptions;
import dev.hoist.unpack.Unpacker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loading archives built entry by entry here: docker's formats, and hostile ones. */
class ArchiveReaderTest {
  private static final byte[] BASE = TestArchive.layer(Map.of("etc/motd", "hello\n"));
  private static final byte[] TOP = TestArchive.layer(Map.of("srv/app.txt", "the app\n"));
  private static final Digest BASE_ID = Digest.sha256(BASE);
  private static final Digest TOP_ID = Digest.sha256(TOP);

  @TempDir Path work;
  OciStore store;

  @BeforeEach
  void openStore() throws IOException {
    store = OciStore.open(work.resolve("store"));
  }

  private List<LoadedImage> load(TestArchive archive) throws IOException {
    return new ArchiveReader(store).load(archive.write(work.resolve("archive.tar")), LoadListener.NONE);
  }

  /** The legacy layout of docker before 25 and of skopeo's docker-archive: manifest.json last. */
  private static TestArchive legacy(byte[] config, List<String> repoTags) {
    String hex = Digest.sha256(config).hex();
    return new TestArchive()
        .file("1111/layer.tar", BASE)
        .file("2222/layer.tar", TOP)
        .symlink("3333/layer.tar", "../1111/layer.tar")
        .file(hex + ".json", config)
        .file("manifest.json", "[" + TestArchive.item(hex + ".json", repoTags,
            "1111/layer.tar", "2222/layer.tar", "3333/layer.tar") + "]");
  }

  @Test
  void loadsALegacyDockerArchiveUnderDockersNameAndImageId() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, TOP_ID, BASE_ID);
    List<Digest> reported = new ArrayList<>();

    List<LoadedImage> loaded = new ArchiveReader(store).load(
        legacy(config, List.of("team/app:v1")).write(work.resolve("a.tar")),
        (diffId, bytes) -> reported.add(diffId));

    Digest id = Digest.sha256(config);
    assertThat(loaded).containsExactly(
        new LoadedImage(Optional.of(ImageReference.parse("team/app:v1")), id));
    assertThat(loaded.get(0).statusLine()).isEqualTo("Loaded image: team/app:v1");
    assertThat(reported).as("each layer loaded once").containsExactly(BASE_ID, TOP_ID);
    Descriptor entry = store.resolve("docker.io/team/app:v1").orElseThrow();
    ImageManifest manifest = (ImageManifest) Manifests.parse(
        store.read(entry.digest(), 1 << 20), entry.mediaType());
    assertThat(manifest.config().digest()).isEqualTo(id);
    assertThat(store.read(id, 1 << 20)).isEqualTo(config);
    assertThat(manifest.layers()).extracting(Descriptor::mediaType, Descriptor::digest)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(MediaTypes.OCI_LAYER, BASE_ID),
            org.assertj.core.groups.Tuple.tuple(MediaTypes.OCI_LAYER, TOP_ID),
            org.assertj.core.groups.Tuple.tuple(MediaTypes.OCI_LAYER, BASE_ID));
    Path rootfs = new Unpacker(store).unpack(ImageReference.parse("team/app:v1"),
        work.resolve("rootfs"), UnpackOptions.defaults(), Unpacker.Progress.NONE, note -> {});
    assertThat(rootfs.resolve("srv/app.txt")).hasContent("the app");
    assertNoStrayFiles();
  }

  @Test
  void anImageWithoutANameIsRecordedUnderItsId() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, TOP_ID, BASE_ID);

    List<LoadedImage> loaded = load(legacy(config, null));

    Digest id = Digest.sha256(config);
    assertThat(loaded).containsExactly(new LoadedImage(Optional.empty(), id));
    assertThat(loaded.get(0).statusLine()).isEqualTo("Loaded image ID: " + id);
    assertThat(store.resolve(id.toString())).isPresent();
  }

  @Test
  void keepsCompressedLayersOfManifestJsonCompressedUnderTheirDigest() throws Exception {
    byte[] gz = TestArchive.gzip(TOP);
    byte[] config = TestArchive.config(BASE_ID, TOP_ID);
    String configPath = "blobs/sha256/" + Digest.sha256(config).hex();
    TestArchive archive = new TestArchive().blob(BASE).blob(gz).blob(config)
        .file("manifest.json", "[" + TestArchive.item(configPath, List.of("app:v2"),
            "blobs/sha256/" + BASE_ID.hex(), "blobs/sha256/" + Digest.sha256(gz).hex()) + "]");

    load(archive);

    ImageManifest manifest = manifest("docker.io/library/app:v2");
    assertThat(manifest.layers().get(1).mediaType()).isEqualTo(MediaTypes.OCI_LAYER_GZIP);
    assertThat(manifest.layers().get(1).digest()).isEqualTo(Digest.sha256(gz));
    assertThat(store.contains(Digest.sha256(gz))).isTrue();
  }

  @Test
  void loadsAnOciLayoutTarKeepingItsManifestByteForByte() throws Exception {
    byte[] gz = TestArchive.gzip(BASE);
    byte[] config = TestArchive.config(BASE_ID);
    byte[] manifest = TestArchive.ociManifest(config, List.of(Map.entry(MediaTypes.OCI_LAYER_GZIP, gz)));
    TestArchive archive = new TestArchive()
        .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
        .file("index.json", TestArchive.index(manifest,
            "{\"org.opencontainers.image.ref.name\":\"localhost:5000/team/app:v1\"}"))
        .blob(manifest).blob(config).blob(gz);

    List<LoadedImage> loaded = load(archive);

    assertThat(loaded).extracting(LoadedImage::statusLine)
        .containsExactly("Loaded image: localhost:5000/team/app:v1");
    assertThat(store.resolve("localhost:5000/team/app:v1").orElseThrow().digest())
        .isEqualTo(Digest.sha256(manifest));
  }

  @Test
  void aBareTagAsRefNameNamesNoRepository() throws Exception {
    byte[] config = TestArchive.config(BASE_ID);
    byte[] manifest = TestArchive.ociManifest(config, List.of(Map.entry(MediaTypes.OCI_LAYER, BASE)));
    TestArchive archive = new TestArchive()
        .file("index.json", TestArchive.index(manifest, "{\"org.opencontainers.image.ref.name\":\"latest\"}"))
        .blob(manifest).blob(config).blob(BASE);

    assertThat(load(archive)).containsExactly(new LoadedImage(Optional.empty(), Digest.sha256(config)));
  }

  @Test
  void loadsAGzippedArchiveFromAStreamAndDeletesTheSpool() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, TOP_ID, BASE_ID);
    byte[] archive = TestArchive.gzip(legacy(config, List.of("app:v1")).bytes());

    List<LoadedImage> loaded = new ArchiveReader(store).load(new ByteArrayInputStream(archive), LoadListener.NONE);

    assertThat(loaded).extracting(LoadedImage::imageId).containsExactly(Digest.sha256(config));
    assertNoStrayFiles();
  }

  @Test
  void aCompressedStreamIsDecompressedWhileSpooledToOneTemporaryTar() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, TOP_ID, BASE_ID);
    byte[] tar = legacy(config, List.of("app:v1")).bytes();
    List<Long> spooled = new ArrayList<>();
    LoadListener spoolSizes = (diffId, bytes) -> spooled.addAll(temporaryFileSizes());

    new ArchiveReader(store).load(new ByteArrayInputStream(TestArchive.zstd(tar)), spoolSizes);

    assertThat(spooled).as("temporary files as each new layer loads").containsExactly((long) tar.length, (long) tar.length);
    assertNoStrayFiles();
  }

  @Test
  void aCompressedArchiveFileIsDecompressedToOneTemporaryTar() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, TOP_ID, BASE_ID);
    byte[] tar = legacy(config, List.of("app:v1")).bytes();
    Path file = Files.write(work.resolve("archive.tar.gz"), TestArchive.gzip(tar));
    List<Long> spooled = new ArrayList<>();

    new ArchiveReader(store).load(file, (diffId, bytes) -> spooled.addAll(temporaryFileSizes()));

    assertThat(spooled).containsExactly((long) tar.length, (long) tar.length);
    assertNoStrayFiles();
  }

  @Test
  void aTruncatedCompressedStreamIsRefusedAndLeavesNoSpool() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, TOP_ID, BASE_ID);
    byte[] gz = TestArchive.gzip(legacy(config, List.of("app:v1")).bytes());

    assertThatThrownBy(() -> new ArchiveReader(store).load(
            new ByteArrayInputStream(Arrays.copyOf(gz, gz.length / 2)), LoadListener.NONE))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageStartingWith("cannot decompress the archive: ");
    assertNothingTagged();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../../etc/passwd", "/etc/passwd", "1111/../../x", ""})
  void refusesUnsafeOrMissingPathsInManifestJson(String path) throws Exception {
    byte[] config = TestArchive.config(BASE_ID);
    String hex = Digest.sha256(config).hex();
    TestArchive archive = new TestArchive().file("1111/layer.tar", BASE).file(hex + ".json", config)
        .file("manifest.json", "[" + TestArchive.item(hex + ".json", List.of("app:v1"), path) + "]");

    assertThatThrownBy(() -> load(archive))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("manifest.json image 1 (layer 1)")
        .hasMessageContaining(path.isEmpty() ? "missing path" : "unsafe path " + path);
    assertNothingTagged();
  }

  @Test
  void aPathThatStepsBackInsideTheArchiveNamesWhereExtractingWouldPutIt() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, TOP_ID);
    String hex = Digest.sha256(config).hex();
    TestArchive archive = new TestArchive().file("1111/layer.tar", BASE)
        .file("x/../2222/layer.tar", TOP).file(hex + ".json", config)
        .file("manifest.json", "[" + TestArchive.item("./1111/../" + hex + ".json", List.of("app:v1"),
            "1111/layer.tar", "1111/./../2222/layer.tar") + "]");

    assertThat(load(archive)).extracting(LoadedImage::imageId).containsExactly(Digest.sha256(config));
  }

  @Test
  void refusesAConfigPathOutsideTheArchive() throws Exception {
    TestArchive archive = new TestArchive().file("manifest.json",
        "[" + TestArchive.item("../config.json", List.of("app:v1"), "1111/layer.tar") + "]");

    assertThatThrownBy(() -> load(archive))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage("unsafe path ../config.json for manifest.json image 1 (Config): paths must stay inside the archive");
    assertNothingTagged();
  }

  @Test
  void refusesALayerThatLinksOutOfTheArchive() throws Exception {
    byte[] config = TestArchive.config(BASE_ID);
    String hex = Digest.sha256(config).hex();
    TestArchive archive = new TestArchive().symlink("1111/layer.tar", "../../etc/passwd")
        .file(hex + ".json", config)
        .file("manifest.json", "[" + TestArchive.item(hex + ".json", List.of("app:v1"), "1111/layer.tar") + "]");

    assertThatThrownBy(() -> load(archive))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("unsafe link 1111/layer.tar (a link to ../../etc/passwd)");
    assertNothingTagged();
  }

  @Test
  void aMissingLayerIsNamedAndNothingIsTagged() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, TOP_ID);
    String hex = Digest.sha256(config).hex();
    TestArchive archive = new TestArchive().file("1111/layer.tar", BASE).file(hex + ".json", config)
        .file("manifest.json", "[" + TestArchive.item(hex + ".json", List.of("app:v1"),
            "1111/layer.tar", "2222/layer.tar") + "]");

    assertThatThrownBy(() -> load(archive))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage("layer 2 of manifest.json image 1 names 2222/layer.tar, which the archive does not contain");
    assertNothingTagged();
  }

  @Test
  void aDiffIdMismatchNamesTheEntryAndNothingIsTagged() throws Exception {
    byte[] config = TestArchive.config(BASE_ID, BASE_ID, BASE_ID); // says layer 2 is BASE: it is TOP

    assertThatThrownBy(() -> load(legacy(config, List.of("app:v1"))))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageStartingWith("archive entry 2222/layer.tar: DiffID mismatch for layer 2 of manifest.json image 1: got "
            + TOP_ID + ", want " + BASE_ID);
    assertNothingTagged();
  }

  @Test
  void aDiffIdMismatchOfACompressedLayerIsFoundByDecompressing() throws Exception {
    byte[] gz = TestArchive.gzip(TOP);
    byte[] config = TestArchive.config(BASE_ID);
    byte[] manifest = TestArchive.ociManifest(config, List.of(Map.entry(MediaTypes.OCI_LAYER_GZIP, gz)));
    TestArchive archive = new TestArchive()
        .file("index.json", TestArchive.index(manifest, "{\"io.containerd.image.name\":\"docker.io/library/app:v1\"}"))
        .blob(manifest).blob(config).blob(gz);

    assertThatThrownBy(() -> load(archive))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("archive entry blobs/sha256/" + Digest.sha256(gz).hex())
        .hasMessageContaining("DiffID mismatch for layer 1 of index.json entry 1: got " + TOP_ID);
    assertNothingTagged();
  }

  @Test
  void loadsAZstdLayerCheckingItsDiffIdByDecompressing() throws Exception {
    byte[] zst = TestArchive.zstd(BASE);
    byte[] config = TestArchive.config(BASE_ID);
    byte[] manifest = TestArchive.ociManifest(config, List.of(Map.entry(MediaTypes.OCI_LAYER_ZSTD, zst)));
    TestArchive archive = new TestArchive()
        .file("index.json", TestArchive.index(manifest, "{\"io.containerd.image.name\":\"docker.io/library/app:v1\"}"))
        .blob(manifest).blob(config).blob(zst);

    assertThat(load(archive)).extracting(LoadedImage::statusLine).containsExactly("Loaded image: app:v1");
    assertThat(manifest("docker.io/library/app:v1").layers().get(0).digest()).isEqualTo(Digest.sha256(zst));
    assertNoStrayFiles();
  }

  @Test
  void anUncompressedLayerThatIsNotItsDiffIdIsRefused() throws Exception {
    byte[] config = TestArchive.config(TOP_ID); // says the layer is TOP: its descriptor names BASE
    byte[] manifest = TestArchive.ociManifest(config, List.of(Map.entry(MediaTypes.OCI_LAYER, BASE)));
    TestArchive archive = new TestArchive()
        .file("index.json", TestArchive.index(manifest, "{\"io.containerd.image.name\":\"docker.io/library/app:v1\"}"))
        .blob(manifest).blob(config).blob(BASE);

    assertThatThrownBy(() -> load(archive))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("archive entry blobs/sha256/" + BASE_ID.hex())
        .hasMessageContaining("DiffID mismatch for layer 1 of index.json entry 1: got " + BASE_ID + ", want " + TOP_ID);
    assertNothingTagged();
  }

  @Test
  void aBlobThatIsNotItsDigestIsRefusedAndNothingIsTagged() throws Exception {
    byte[] config = TestArchive.config(BASE_ID);
    byte[] manifest = TestArchive.ociManifest(config, List.of(Map.entry(MediaTypes.OCI_LAYER, BASE)));
    byte[] tampered = BASE.clone();
    tampered[600] ^= 1; // same size, other bytes
    TestArchive archive = new TestArchive()
        .file("index.json", TestArchive.index(manifest, "{\"io.containerd.image.name\":\"docker.io/library/app:v1\"}"))
        .blob(manifest).blob(config).file("blobs/sha256/" + BASE_ID.hex(), tampered);

    assertThatThrownBy(() -> load(archive))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("archive entry blobs/sha256/" + BASE_ID.hex())
        .hasMessageContaining("want " + BASE_ID);
    assertNothingTagged();
  }

  @Test
  void aTruncatedArchiveIsRefusedAndLeavesNoPartialFiles() throws Exception {
    byte[] big = TestArchive.layer(Map.of("data", "x".repeat(200_000)));
    byte[] config = TestArchive.config(BASE_ID, Digest.sha256(big));
    String hex = Digest.sha256(config).hex();
    byte[] whole = new TestArchive().file(hex + ".json", config)
        .file("manifest.json", "[" + TestArchive.item(hex + ".json", List.of("app:v1"),
            "1111/layer.tar", "2222/layer.tar") + "]")
        .file("1111/layer.tar", BASE).file("2222/layer.tar", big).bytes();
    Path archive = Files.write(work.resolve("cut.tar"), Arrays.copyOf(whole, whole.length / 2));

    assertThatThrownBy(() -> new ArchiveReader(store).load(archive, LoadListener.NONE))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("truncated");
    assertNothingTagged();
  }

  @Test
  void aBrokenSecondImageLeavesTheFirstUntaggedToo() throws Exception {
    byte[] good = TestArchive.config(BASE_ID);
    byte[] bad = TestArchive.config(TOP_ID);
    TestArchive archive = new TestArchive().file("1111/layer.tar", BASE)
        .file(Digest.sha256(good).hex() + ".json", good).file(Digest.sha256(bad).hex() + ".json", bad)
        .file("manifest.json", "[" + TestArchive.item(Digest.sha256(good).hex() + ".json", List.of("good:v1"), "1111/layer.tar")
            + "," + TestArchive.item(Digest.sha256(bad).hex() + ".json", List.of("bad:v1"), "1111/layer.tar") + "]");

    assertThatThrownBy(() -> load(archive)).isInstanceOf(DigestMismatchException.class);
    assertNothingTagged();
  }

  @Test
  void anArchiveWithoutManifestsIsNotAnImageArchive() throws Exception {
    assertThatThrownBy(() -> load(new TestArchive().file("hello.txt", "hi")))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("neither manifest.json nor index.json");
  }

  private ImageManifest manifest(String name) throws IOException {
    Descriptor entry = store.resolve(name).orElseThrow();
    return (ImageManifest) Manifests.parse(store.read(entry.digest(), 1 << 20), entry.mediaType());
  }

  private void assertNothingTagged() throws IOException {
    assertThat(store.manifests()).as("index.json entries").isEmpty();
    assertNoStrayFiles();
  }

  private List<Long> temporaryFileSizes() {
    try (Stream<Path> files = Files.list(store.root().resolve(".hoist"))) {
      List<Long> sizes = new ArrayList<>();
      for (Path file : files.filter(p -> p.toString().endsWith(".tmp")).toList()) {
        sizes.add(Files.size(file));
      }
      return sizes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** No partial ingest, no temporary file, and every blob is the content its name says. */
  private void assertNoStrayFiles() throws IOException {
    Path hoist = store.root().resolve(".hoist");
    try (Stream<Path> ingest = Files.list(hoist.resolve("ingest"));
        Stream<Path> temps = Files.list(hoist)) {
      assertThat(ingest.toList()).as("partial ingests").isEmpty();
      assertThat(temps.filter(p -> p.toString().endsWith(".tmp")).toList()).as("temp files").isEmpty();
    }
    try (Stream<Path> blobs = Files.list(store.root().resolve("blobs/sha256"))) {
      for (Path blob : blobs.toList()) {
        assertThat(Digest.sha256(Files.readAllBytes(blob)).hex()).isEqualTo(blob.getFileName().toString());
      }
    }
  }
}
