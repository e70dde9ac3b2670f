package dev.hoist.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciStoreTest {
  @TempDir Path dir;

  private static Descriptor blob(byte[] bytes) {
    return Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(bytes), bytes.length);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void createsAnEmptyOciLayout() throws Exception {
    OciStore.open(dir);

    assertThat(Files.readString(dir.resolve("oci-layout"))).contains("\"imageLayoutVersion\":\"1.0.0\"");
    assertThat(Files.readString(dir.resolve("index.json"))).contains("\"manifests\":[]");
    assertThat(dir.resolve("blobs/sha256")).isDirectory();
  }

  @Test
  void commitsVerifiedBlobReadOnlyAtItsDigestPath() throws Exception {
    OciStore store = OciStore.open(dir);
    byte[] content = bytes("hello layer");
    Descriptor d = blob(content);

    store.write(d, content);

    Path path = dir.resolve("blobs/sha256/" + d.digest().hex());
    assertThat(path).hasBinaryContent(content);
    assertThat(Files.getPosixFilePermissions(path)).noneMatch(p -> p.name().endsWith("WRITE"));
    assertThat(store.contains(d.digest())).isTrue();
  }

  @Test
  void refusesBytesThatDoNotHashToTheDigestAndKeepsNothing() throws Exception {
    OciStore store = OciStore.open(dir);
    Descriptor claimed = blob(bytes("the real thing"));
    byte[] forged = bytes("a forged thing");

    assertThatThrownBy(() -> store.write(claimed, forged))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("got " + Digest.sha256(forged))
        .hasMessageContaining("want " + claimed.digest());
    assertThat(store.contains(claimed.digest())).isFalse();
    assertThat(dir.resolve(".hoist/ingest")).isEmptyDirectory();
  }

  @Test
  void refusesMoreBytesThanTheDescriptorPromises() throws Exception {
    OciStore store = OciStore.open(dir);
    Descriptor d = blob(bytes("short"));

    try (Ingest ingest = store.ingest(d)) {
      assertThatThrownBy(() -> ingest.write(bytes("much longer"), 0, 11))
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("larger than its descriptor's size of 5 bytes");
    }
  }

  @Test
  void resumesThePartialAnEarlierIngestLeft() throws Exception {
    OciStore store = OciStore.open(dir);
    byte[] content = bytes("0123456789abcdef");
    Descriptor d = blob(content);
    try (Ingest first = store.ingest(d)) {
      first.write(content, 0, 6); // then the process "dies": closed without commit
    }

    try (Ingest second = store.ingest(d)) {
      assertThat(second.offset()).isEqualTo(6);
      second.write(content, 6, content.length - 6);
      second.commit();
    }

    assertThat(store.blobPath(d.digest())).hasBinaryContent(content);
  }

  @Test
  void startsOverWhenThePartialIsLargerThanTheBlob() throws Exception {
    OciStore store = OciStore.open(dir);
    byte[] content = bytes("tiny");
    Descriptor d = blob(content);
    Files.write(dir.resolve(".hoist/ingest/sha256-" + d.digest().hex()), bytes("far too long a partial"));

    try (Ingest ingest = store.ingest(d)) {
      assertThat(ingest.offset()).isZero();
    }
  }

  @Test
  void anIngestOfACommittedBlobIsAlreadyComplete() throws Exception {
    OciStore store = OciStore.open(dir);
    byte[] content = bytes("x");
    store.write(blob(content), content);

    try (Ingest again = store.ingest(blob(content))) {
      assertThat(again.isComplete()).isTrue();
    }
  }

  @Test
  void concurrentTagsAreAllKept() throws Exception {
    OciStore store = OciStore.open(dir);
    byte[] manifest = bytes("{}");
    Descriptor d = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String name = "example.com/app:v" + i;
        futures.add(pool.submit(() -> {
          store.refs().tag(d, Set.of(name));
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(store.manifests()).hasSize(40);
    assertThat(store.resolve("example.com/app:v17")).get().extracting(Descriptor::digest).isEqualTo(d.digest());
  }

  @Test
  void retaggingMovesTheNameAndKeepsEntriesOtherToolsWrote() throws Exception {
    Files.createDirectories(dir);
    String foreign = "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"sha256:"
        + "e".repeat(64) + "\",\"size\":3,\"annotations\":{\"org.opencontainers.image.ref.name\":\"umoci-tag\"}}";
    Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + foreign + "]}");
    OciStore store = OciStore.open(dir);
    Descriptor a = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256("a"), 1);
    Descriptor b = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256("b"), 1);

    store.refs().tag(a, Set.of("example.com/app:latest"));
    store.refs().tag(b, Set.of("example.com/app:latest"));

    assertThat(store.manifests()).hasSize(2);
    assertThat(store.resolve("example.com/app:latest")).get().extracting(Descriptor::digest).isEqualTo(b.digest());
    assertThat(store.resolve("umoci-tag")).isPresent();
  }

  @Test
  void taggingWithWhatTheIndexAlreadySaysLeavesItUntouched() throws Exception {
    OciStore store = OciStore.open(dir.resolve("unchanged"));
    byte[] manifest = "{\"schemaVersion\":2}".getBytes();
    Descriptor d = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length)
        .withAnnotations(java.util.Map.of(ImageRefs.RESOLVED_DIGEST, Digest.sha256(manifest).toString()));
    store.write(d, manifest);
    store.refs().tag(d, java.util.List.of("example.com/app:1", "example.com/app@" + d.digest()));
    Path index = store.root().resolve("index.json");
    Object before = Files.getAttribute(index, "unix:ino");

    store.refs().tag(d, java.util.List.of("example.com/app:1", "example.com/app@" + d.digest()));
    assertThat(Files.getAttribute(index, "unix:ino")).as("not rewritten").isEqualTo(before);

    store.refs().tag(d, java.util.List.of("example.com/app:2"));
    assertThat(Files.getAttribute(index, "unix:ino")).as("rewritten for a new name").isNotEqualTo(before);
    assertThat(store.resolve("example.com/app:2")).isPresent();
  }
}
