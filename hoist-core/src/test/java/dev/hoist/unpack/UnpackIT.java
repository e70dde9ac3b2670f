package dev.hoist.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.MediaTypes;
import dev.hoist.pull.PullListener;
import dev.hoist.pull.PullRequest;
import dev.hoist.reference.ImageReference;
import dev.hoist.testing.FaultRegistry;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking, judged against umoci, a tool no one here wrote, on images built by real tools. */
class UnpackIT {
  @TempDir static Path fixtures;
  @TempDir Path work;
  static LocalRegistry registry;
  static OciLayoutImage image;
  static String ref;

  @BeforeAll
  static void pushImage() throws IOException {
    registry = LocalRegistry.anonymous();
    image = linksAndWhiteouts(fixtures);
    registry.push(image, "team/rootfs", "v1");
    ref = registry.host() + "/team/rootfs:v1";
  }

  @AfterAll
  static void stop() throws IOException {
    registry.close();
  }

  /**
   * Four layers made by umoci from real files: symlinks, a hardlink within a layer and one to a
   * lower layer's file, a deleted file (whiteout), a directory emptied and refilled, a setuid file.
   */
  static OciLayoutImage linksAndWhiteouts(Path dir) throws IOException {
    Path layout = dir.resolve("layout");
    Path bundle = dir.resolve("bundle");
    Path rootfs = bundle.resolve("rootfs");
    Tools.run(List.of("umoci", "init", "--layout", layout.toString()), dir);
    Tools.run(List.of("umoci", "new", "--image", layout + ":v1"), dir);
    Tools.run(List.of("umoci", "unpack", "--rootless", "--image", layout + ":v1", bundle.toString()), dir);
    Files.createDirectories(rootfs.resolve("etc/app"));
    Files.copy(Path.of("/etc/services"), rootfs.resolve("etc/services"));
    Files.copy(Path.of("/etc/protocols"), rootfs.resolve("etc/app/protocols"));
    Files.writeString(rootfs.resolve("etc/app/old.conf"), "old\n");
    Files.createSymbolicLink(rootfs.resolve("etc/app/services"), Path.of("../services"));
    Files.createSymbolicLink(rootfs.resolve("etc/absolute"), Path.of("/etc/services"));
    Tools.run(List.of("umoci", "repack", "--image", layout + ":v1", bundle.toString()), dir);
    Files.createLink(rootfs.resolve("etc/services.link"), rootfs.resolve("etc/services"));
    Files.copy(Path.of("/etc/hosts"), rootfs.resolve("etc/hosts"));
    Files.createLink(rootfs.resolve("etc/hosts.link"), rootfs.resolve("etc/hosts"));
    Tools.run(List.of("umoci", "repack", "--image", layout + ":v1", bundle.toString()), dir);
    Files.delete(rootfs.resolve("etc/app/old.conf"));
    Files.delete(rootfs.resolve("etc/app/protocols"));
    Files.writeString(rootfs.resolve("etc/app/new.conf"), "new\n");
    Path tool = rootfs.resolve("usr-bin-tool");
    Files.writeString(tool, "#!/bin/sh\necho hi\n");
    Files.setAttribute(tool, "unix:mode", 04755);
    Tools.run(List.of("umoci", "repack", "--image", layout + ":v1", bundle.toString()), dir);
    return new OciLayoutImage(layout, "v1", 3);
  }

  /**
   * Two layers tarred by GNU tar and added verbatim by {@code umoci raw add-layer}: the second
   * makes {@code etc/app} opaque (its lower files go, its own stay), whites out a file and a
   * directory, and puts a file through a hardlink into a lower layer's directory.
   */
  static OciLayoutImage opaqueDirectories(Path dir) throws IOException {
    Path layout = dir.resolve("opaque-layout");
    Path lower = dir.resolve("opaque-lower");
    Files.createDirectories(lower.resolve("etc/app/conf.d"));
    Files.createDirectories(lower.resolve("var/lib/old"));
    Files.copy(Path.of("/etc/services"), lower.resolve("etc/app/services"));
    Files.writeString(lower.resolve("etc/app/conf.d/one.conf"), "one\n");
    Files.writeString(lower.resolve("var/lib/keep"), "keep\n");
    Files.writeString(lower.resolve("var/lib/gone"), "gone\n");
    Files.writeString(lower.resolve("var/lib/old/data"), "old\n");
    Path upper = dir.resolve("opaque-upper");
    Files.createDirectories(upper.resolve("etc/app"));
    Files.createDirectories(upper.resolve("var/lib"));
    Files.createFile(upper.resolve("etc/app/.wh..wh..opq"));
    Files.writeString(upper.resolve("etc/app/new.conf"), "new\n");
    Files.createFile(upper.resolve("var/lib/.wh.gone"));
    Files.createFile(upper.resolve("var/lib/.wh.old"));
    Files.createLink(upper.resolve("var/lib/keep.link"), upper.resolve("etc/app/new.conf"));
    Tools.run(List.of("umoci", "init", "--layout", layout.toString()), dir);
    Tools.run(List.of("umoci", "new", "--image", layout + ":v1"), dir);
    for (Path layer : List.of(lower, upper)) {
      Path tar = dir.resolve(layer.getFileName() + ".tar");
      Tools.run(List.of("tar", "-cf", tar.toString(), "-C", layer.toString(), "."), dir);
      Tools.run(List.of("umoci", "raw", "add-layer", "--image", layout + ":v1", tar.toString()), dir);
    }
    return new OciLayoutImage(layout, "v1", 2);
  }

  private Hoist hoist(Path store) throws IOException {
    return Hoist.builder().store(store).credentials(CredentialProvider.anonymous()).build();
  }

  /** The trees hoist and umoci unpack from the store hoist pulled {@code image} into. */
  private record Trees(Map<String, String> hoist, Map<String, String> umoci, List<String> notes) {}

  private Trees unpackWithBoth(String image, boolean ownership) throws IOException {
    Path store = work.resolve("store");
    Path mine = work.resolve("hoist-rootfs");
    List<String> notes = new java.util.ArrayList<>();
    try (Hoist hoist = hoist(store)) {
      hoist.pull(image);
      hoist.unpack(ImageReference.parse(image), mine,
          new UnpackOptions(ownership, UnpackOptions.DEFAULT_MAX_BYTES), notes::add);
    }
    Path bundle = work.resolve("umoci-bundle");
    List<String> umoci = new java.util.ArrayList<>(List.of("umoci", "unpack"));
    if (!ownership) {
      umoci.add("--rootless");
    }
    umoci.addAll(List.of("--image", store + ":" + ImageReference.parse(image), bundle.toString()));
    Tools.run(umoci, work);
    return new Trees(TreeSnapshot.of(mine), TreeSnapshot.of(bundle.resolve("rootfs")), notes);
  }

  @Test
  void unpacksTheSameTreeAsUmoci() throws Exception {
    Trees trees = unpackWithBoth(ref, UnpackOptions.defaults().applyOwnership());

    assertThat(trees.hoist()).isEqualTo(trees.umoci());
    assertThat(trees.umoci()).containsKeys("etc/services.link", "etc/app/new.conf", "etc/absolute")
        .doesNotContainKeys("etc/app/old.conf", "etc/app/protocols");
    assertThat(trees.umoci().get("usr-bin-tool")).startsWith("file 4755");
  }

  @Test
  void unpacksOpaqueDirectoriesAsUmociDoes() throws Exception {
    registry.push(opaqueDirectories(work.resolve("fixture")), "team/opaque", "v1");

    String opaque = registry.host() + "/team/opaque:v1";
    Trees trees = unpackWithBoth(opaque, UnpackOptions.defaults().applyOwnership());

    assertThat(trees.hoist()).isEqualTo(trees.umoci());
    assertThat(trees.umoci()).containsKeys("etc/app/new.conf", "var/lib/keep", "var/lib/keep.link")
        .doesNotContainKeys("etc/app/services", "etc/app/conf.d", "var/lib/gone", "var/lib/old",
            "etc/app/.wh..wh..opq", "var/lib/.wh.gone");
  }

  @Test
  void unpacksWithoutOwnershipTheSameTreeAsRootlessUmoci() throws Exception {
    Trees trees = unpackWithBoth(ref, false);

    assertThat(trees.hoist()).isEqualTo(trees.umoci());
    assertThat(trees.notes()).contains("ownership not applied (not root)");
  }

  @Test
  void pullWithUnpackGivesTheSameTreeAsUnpackAfterwards() throws Exception {
    Path streamed = work.resolve("streamed");
    Path later = work.resolve("later");
    try (Hoist hoist = hoist(work.resolve("store"))) {
      hoist.pull(PullRequest.of(ref).withUnpackTo(streamed, UnpackOptions.defaults()), PullListener.NONE);
      hoist.unpack(ImageReference.parse(ref), later, UnpackOptions.defaults(), note -> {});
    }

    assertThat(TreeSnapshot.of(streamed)).isEqualTo(TreeSnapshot.of(later)).isNotEmpty();
  }

  @Test
  void aLayerThatIsNotItsDiffIdLeavesNoDirectoryBehind() throws Exception {
    try (FaultRegistry fake = FaultRegistry.start()) {
      byte[] layer = gzipTar("etc/motd", "hello");
      String wrongDiffId = Digest.sha256("not this layer").toString();
      publish(fake, "team/bad", layer, wrongDiffId);
      Path target = work.resolve("rootfs");

      try (Hoist hoist = hoist(work.resolve("store"))) {
        assertThatThrownBy(() -> hoist.pull(
                PullRequest.of(fake.host() + "/team/bad:v1").withUnpackTo(target, UnpackOptions.defaults()),
                PullListener.NONE))
            .isInstanceOf(DigestMismatchException.class)
            .hasMessageContaining("DiffID mismatch");
        assertThat(hoist.store().manifests()).isEmpty();
      }
      assertThat(target).doesNotExist();
      try (Stream<Path> siblings = Files.list(work)) {
        assertThat(siblings).noneMatch(p -> p.getFileName().toString().contains(".hoist-"));
      }
    }
  }

  @Test
  void aLayerEscapingTheRootIsRefusedAndTouchesNothingOutside() throws Exception {
    try (FaultRegistry fake = FaultRegistry.start()) {
      byte[] layer = gzipTar("../escaped", "pwned");
      publish(fake, "team/evil", layer, null);
      Path target = work.resolve("inside/rootfs");

      try (Hoist hoist = hoist(work.resolve("store"))) {
        assertThatThrownBy(() -> hoist.pull(
                PullRequest.of(fake.host() + "/team/evil:v1").withUnpackTo(target, UnpackOptions.defaults()),
                PullListener.NONE))
            .isInstanceOf(UnsafeLayerException.class)
            .hasMessageContaining("../escaped");
      }
      assertThat(target).doesNotExist();
      assertThat(work.resolve("inside/escaped")).doesNotExist();
      assertThat(work.resolve("escaped")).doesNotExist();
    }
  }

  private static byte[] gzipTar(String name, String content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      byte[] data = content.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry entry = new TarArchiveEntry(name, true);
      entry.setSize(data.length);
      entry.setMode(0644);
      tar.putArchiveEntry(entry);
      tar.write(data);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  /** An image of one gzip layer; {@code diffId} null means the layer's true DiffID. */
  private static void publish(FaultRegistry fake, String repo, byte[] layer, String diffId)
      throws IOException {
    String layerDigest = fake.putBlob(repo, layer);
    if (diffId == null) {
      try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(layer))) {
        diffId = Digest.sha256(in.readAllBytes()).toString();
      }
    }
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
        + "\"diff_ids\":[\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
    String configDigest = fake.putBlob(repo, config);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
        + "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest
        + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
        + "\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}")
        .getBytes(StandardCharsets.UTF_8);
    fake.putManifest(repo, "v1", MediaTypes.OCI_MANIFEST, manifest);
  }
}
