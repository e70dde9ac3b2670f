package dev.hoist.unpack;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerApplierTest {
  @TempDir Path dir;
  Path root;
  final List<String> notes = new ArrayList<>();

  @BeforeEach
  void createRoot() throws IOException {
    root = Files.createDirectory(dir.resolve("root"));
  }

  private LayerApplier applier(boolean asRoot) {
    return new LayerApplier(root, new LayerApplier.Options(asRoot, 1 << 20), notes::add);
  }

  private static int mode(Path p) throws IOException {
    return (int) Files.getAttribute(p, "unix:mode", NOFOLLOW_LINKS) & 07777;
  }

  @Test
  void createsFilesAndDirectoriesWithTheirModesIncludingSetuid() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .dir("./", 0755)
                .dir("./usr/", 0755)
                .dir("./usr/bin/", 0555)
                .file("./usr/bin/su", "su", 04755)
                .file("./usr/bin/wall", "wall", 02711)
                .dir("./tmp/", 01777)
                .file("deep/er/file", "parents made on the way")
                .stream(),
        "sha256:one");
    applier.finish();

    assertThat(root.resolve("usr/bin/su")).hasContent("su");
    assertThat(mode(root.resolve("usr/bin/su"))).isEqualTo(04755);
    assertThat(mode(root.resolve("usr/bin/wall"))).isEqualTo(02711);
    assertThat(mode(root.resolve("usr/bin"))).isEqualTo(0555);
    assertThat(mode(root.resolve("tmp"))).isEqualTo(01777);
    assertThat(root.resolve("deep/er/file")).hasContent("parents made on the way");
    assertThat(notes).containsExactly("ownership not applied (not root)");
  }

  @Test
  void laterLayersReplaceFilesAndWriteIntoReadOnlyDirectoriesOfLowerOnes() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer().dir("ro/", 0555).file("ro/a", "old").dir("gone/", 0755).stream(), "l1");
    applier.apply(
        new TestLayer().file("ro/a", "new", 0600).file("ro/b", "b").file("gone", "a file").stream(),
        "l2");
    applier.finish();

    assertThat(root.resolve("ro/a")).hasContent("new");
    assertThat(mode(root.resolve("ro/a"))).isEqualTo(0600);
    assertThat(root.resolve("ro/b")).hasContent("b");
    assertThat(mode(root.resolve("ro"))).isEqualTo(0555);
    assertThat(root.resolve("gone")).isRegularFile().hasContent("a file");
  }

  @Test
  void givesFilesExactlyTheirModesWhateverTheUmaskWouldClear() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
            .file("shared", "rw for all", 0666)
            .file("tool", "x for all", 0777)
            .file("readonly", "r", 0444)
            .file("none", "", 0)
            .file("private", "p", 0600)
            .stream(),
        "l1");
    applier.finish();

    assertThat(mode(root.resolve("shared"))).isEqualTo(0666);
    assertThat(mode(root.resolve("tool"))).isEqualTo(0777);
    assertThat(mode(root.resolve("readonly"))).isEqualTo(0444);
    assertThat(mode(root.resolve("none"))).isEqualTo(0);
    assertThat(mode(root.resolve("private"))).isEqualTo(0600);
    try (var leftovers = Files.list(root)) {
      assertThat(leftovers.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("shared", "tool", "readonly", "none", "private");
    }
  }

  @Test
  void eachEntryReplacesWhateverALowerLayerHadAtItsName() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
            .dir("was-dir/", 0755).file("was-dir/child", "c")
            .file("was-file", "f")
            .symlink("was-link", "/etc")
            .file("was-file-2", "f2")
            .file("target", "t")
            .stream(),
        "l1");
    applier.apply(
        new TestLayer()
            .file("was-dir", "now a file")
            .dir("was-file/", 0700)
            .file("was-link", "now a file too")
            .hardlink("was-file-2", "target")
            .symlink("target-link", "target")
            .stream(),
        "l2");
    applier.apply(new TestLayer().symlink("target-link", "elsewhere").stream(), "l3");
    applier.finish();

    assertThat(root.resolve("was-dir")).isRegularFile().hasContent("now a file");
    assertThat(root.resolve("was-file")).isDirectory();
    assertThat(mode(root.resolve("was-file"))).isEqualTo(0700);
    assertThat(root.resolve("was-link")).isRegularFile().hasContent("now a file too");
    assertThat(Files.isSameFile(root.resolve("was-file-2"), root.resolve("target"))).isTrue();
    assertThat(Files.readSymbolicLink(root.resolve("target-link"))).isEqualTo(Path.of("elsewhere"));
  }

  @Test
  void storesSymlinkTargetsVerbatimWithoutFollowingThem() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .symlink("etc/localtime", "/usr/share/zoneinfo/UTC")
                .symlink("lib", "usr/lib")
                .symlink("dangling", "../../nowhere")
                .stream(),
        "l1");
    applier.finish();

    assertThat(Files.readSymbolicLink(root.resolve("etc/localtime")))
        .isEqualTo(Path.of("/usr/share/zoneinfo/UTC"));
    assertThat(Files.readSymbolicLink(root.resolve("lib"))).isEqualTo(Path.of("usr/lib"));
    assertThat(Files.readSymbolicLink(root.resolve("dangling")))
        .isEqualTo(Path.of("../../nowhere"));
    assertThat(Files.getLastModifiedTime(root.resolve("lib"), NOFOLLOW_LINKS))
        .isEqualTo(TestLayer.MTIME);
  }

  @Test
  void linksHardlinksToFilesOfTheSameLayerAndOfLowerLayers() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(new TestLayer().file("bin/busybox", "bb", 0755).stream(), "l1");
    applier.apply(
        new TestLayer()
                .hardlink("bin/sh", "bin/busybox")
                .file("lib/x.so", "x")
                .hardlink("./lib/x.so.1", "./lib/x.so")
                .stream(),
        "l2");

    assertThat(Files.isSameFile(root.resolve("bin/sh"), root.resolve("bin/busybox"))).isTrue();
    assertThat(Files.isSameFile(root.resolve("lib/x.so.1"), root.resolve("lib/x.so"))).isTrue();
    assertThat(Files.getAttribute(root.resolve("bin/busybox"), "unix:nlink")).isEqualTo(2);
  }

  @Test
  void whiteoutsRemoveFilesAndWholeDirectoriesOfLowerLayers() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .file("etc/motd", "hi")
                .file("etc/keep", "k")
                .file("var/cache/apt/a", "a")
                .file("var/cache/apt/sub/b", "b")
                .stream(),
        "l1");
    applier.apply(
        new TestLayer().file("etc/.wh.motd", "").file("var/cache/.wh.apt", "").stream(), "l2");

    assertThat(root.resolve("etc/motd")).doesNotExist();
    assertThat(root.resolve("etc/.wh.motd")).doesNotExist();
    assertThat(root.resolve("etc/keep")).exists();
    assertThat(root.resolve("var/cache/apt")).doesNotExist();
    assertThat(root.resolve("var/cache")).isEmptyDirectory();
  }

  @Test
  void opaqueDirectoryRemovesLowerEntriesButKeepsThisLayersOwn() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .file("app/old", "lower")
                .file("app/lib/old.so", "lower")
                .file("app/lib/mine.so", "lower")
                .file("other/x", "untouched")
                .stream(),
        "l1");
    applier.apply(
        new TestLayer()
                .dir("app/", 0755)
                .file("app/new", "this layer") // before the marker
                .dir("app/lib/", 0755)
                .file("app/.wh..wh..opq", "")
                .file("app/lib/mine.so", "this layer") // after it
                .stream(),
        "l2");

    assertThat(root.resolve("app/new")).hasContent("this layer");
    assertThat(root.resolve("app/lib/mine.so")).hasContent("this layer");
    assertThat(root.resolve("app/old")).doesNotExist();
    assertThat(root.resolve("app/lib/old.so")).doesNotExist();
    assertThat(root.resolve("app/.wh..wh..opq")).doesNotExist();
    assertThat(root.resolve("other/x")).hasContent("untouched");
  }

  @Test
  void ignoresAufsMetadataEntries() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .dir(".wh..wh.plnk/", 0700)
                .file(".wh..wh.plnk/123.456", "aufs")
                .file(".wh..wh.aufs", "")
                .file("real", "r")
                .stream(),
        "l1");

    try (var names = Files.list(root)) {
      assertThat(names.map(p -> p.getFileName().toString())).containsExactly("real");
    }
  }

  @Test
  void readsLongNamesLongLinkTargetsAndUnicodeFromPaxHeaders() throws Exception {
    String longDir = "d".repeat(120) + "/" + "e".repeat(120);
    String longTarget = "/" + "t".repeat(150);
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .file(longDir + "/file.txt", "long")
                .symlink("link", longTarget)
                .file("été/naïve.txt", "unicode")
                .hardlink("hard-" + "h".repeat(110), longDir + "/file.txt")
                .stream(),
        "l1");

    assertThat(root.resolve(longDir + "/file.txt")).hasContent("long");
    assertThat(Files.readSymbolicLink(root.resolve("link"))).isEqualTo(Path.of(longTarget));
    assertThat(root.resolve("été/naïve.txt")).hasContent("unicode");
    assertThat(root.resolve("hard-" + "h".repeat(110))).hasContent("long");
  }

  @Test
  void setsFileTimesAtOnceAndDirectoryTimesAtFinish() throws Exception {
    FileTime fileTime = FileTime.fromMillis(1_234_567_890_000L);
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .dir("a/", 0755)
                .dir("a/b/", 0755)
                .file(
                    "a/b/f",
                    "x".getBytes(StandardCharsets.UTF_8),
                    0644,
                    e -> e.setModTime(fileTime))
                .stream(),
        "l1");
    applier.apply(new TestLayer().file("a/b/g", "changes b's mtime").stream(), "l2");
    applier.finish();

    assertThat(Files.getLastModifiedTime(root.resolve("a/b/f"))).isEqualTo(fileTime);
    assertThat(Files.getLastModifiedTime(root.resolve("a/b"))).isEqualTo(TestLayer.MTIME);
    assertThat(Files.getLastModifiedTime(root.resolve("a"))).isEqualTo(TestLayer.MTIME);
  }

  @Test
  void appliesUserXattrsFromPaxHeadersAndNotesOthers() throws Exception {
    assumeTrue(userXattrsWork(dir), "the temp filesystem has no user xattrs");
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .file(
                    "f",
                    new byte[0],
                    0644,
                    e -> {
                      e.addPaxHeader("SCHILY.xattr.user.mime_type", "text/plain");
                      e.addPaxHeader("SCHILY.xattr.security.capability", "\u0001");
                    })
                .stream(),
        "l1");

    var view = Files.getFileAttributeView(root.resolve("f"), UserDefinedFileAttributeView.class);
    ByteBuffer value = ByteBuffer.allocate(view.size("mime_type"));
    view.read("mime_type", value);
    assertThat(new String(value.array(), StandardCharsets.UTF_8)).isEqualTo("text/plain");
    assertThat(notes).contains("xattrs such as security.capability not applied");
  }

  @Test
  void skipsDeviceNodesWithOneNoteWhenNotRoot() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(
        new TestLayer()
                .node("dev/null", TarConstants.LF_CHR, 0666)
                .node("dev/zero", TarConstants.LF_CHR, 0666)
                .node("run/fifo", TarConstants.LF_FIFO, 0600)
                .stream(),
        "l1");

    assertThat(root.resolve("dev/null")).doesNotExist();
    assertThat(root.resolve("run/fifo")).doesNotExist();
    assertThat(notes)
        .containsExactly(
            "character devices not created (not root)", "FIFOs not created (not root)");
  }

  @Test
  void keepsALowerFileWhenADeviceNodeInItsPlaceIsSkipped() throws Exception {
    LayerApplier applier = applier(false);
    applier.apply(new TestLayer().file("dev/null", "lower").stream(), "l1");
    applier.apply(new TestLayer().node("dev/null", TarConstants.LF_CHR, 0666).stream(), "l2");

    assertThat(root.resolve("dev/null")).hasContent("lower");
  }

  @Test
  void createsFifosAndAppliesOwnershipWhenRunningAsRoot() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    LayerApplier applier = applier(true);
    applier.apply(
        new TestLayer()
            .node("run/fifo", TarConstants.LF_FIFO, 0620).file("home/u/f", "mine", 04750).stream(),
        "l1");

    Path fifo = root.resolve("run/fifo");
    assertThat(Files.readAttributes(fifo, "unix:mode,uid,gid", NOFOLLOW_LINKS))
        .containsEntry("mode", 0010620) // S_IFIFO | 0620
        .containsEntry("uid", 1000)
        .containsEntry("gid", 1001);
    assertThat(mode(root.resolve("home/u/f"))).isEqualTo(04750);
    assertThat(Files.getAttribute(root.resolve("home/u/f"), "unix:uid")).isEqualTo(1000);
    assertThat(notes).isEmpty();
  }

  @Test
  void readsTheStreamToItsEndWithoutClosingIt() throws Exception {
    byte[] tar = new TestLayer().file("f", "x").bytes();
    byte[] padded = java.util.Arrays.copyOf(tar, tar.length + 10240); // more zero blocks
    boolean[] closed = {false};
    InputStream in =
        new ByteArrayInputStream(padded) {
          @Override
          public void close() {
            closed[0] = true;
          }
        };

    applier(false).apply(in, "l1");

    assertThat(in.read()).isEqualTo(-1);
    assertThat(closed[0]).isFalse();
  }

  private static boolean userXattrsWork(Path dir) throws IOException {
    Path probe = Files.createFile(dir.resolve("xattr-probe"));
    try {
      Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class)
          .write("probe", ByteBuffer.wrap(new byte[] {1}));
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    } finally {
      Files.delete(probe);
    }
  }
}
