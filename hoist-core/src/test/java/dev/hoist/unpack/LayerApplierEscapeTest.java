package dev.hoist.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malicious layers. The root sits in a temp dir beside "outside" (holding a canary) and "canary";
 * after every test, everything outside the root must be exactly as it was.
 */
class LayerApplierEscapeTest {
  @TempDir Path dir;
  Path root;
  Path outside;
  Map<String, String> before;
  LayerApplier applier;

  @BeforeEach
  void createRootBesideACanary() throws IOException {
    root = Files.createDirectory(dir.resolve("root"));
    outside = Files.createDirectory(dir.resolve("outside"));
    Files.writeString(outside.resolve("canary"), "tweet");
    Files.writeString(dir.resolve("canary"), "tweet");
    before = Snapshot.of(dir, root);
    applier = new LayerApplier(root, new LayerApplier.Options(false, 1000), note -> {});
  }

  @AfterEach
  void nothingOutsideTheRootChanged() throws IOException {
    assertThat(Snapshot.of(dir, root)).isEqualTo(before);
  }

  @Test
  void refusesANameThatClimbsOutWithDotDot() {
    assertThatThrownBy(() -> apply(new TestLayer().file("a/../../outside/evil", "x")))
        .isInstanceOf(UnsafeLayerException.class)
        .hasMessage(
            "layer sha256:bad entry \"a/../../outside/evil\": path escapes the root filesystem");
  }

  @Test
  void refusesAnAbsoluteName() {
    String name = outside.resolve("evil").toString();

    assertThatThrownBy(() -> apply(new TestLayer().file(name, "x")))
        .isInstanceOf(UnsafeLayerException.class)
        .hasMessageContaining("entry \"" + name + "\": path escapes the root filesystem");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../outside", "../../../../outside", "ABSOLUTE"})
  void writesThroughASymlinkOfTheSameLayerStayInsideTheRoot(String target) throws Exception {
    String link = target.equals("ABSOLUTE") ? outside.toString() : target;

    apply(new TestLayer().symlink("evil", link).file("evil/canary", "pwned"));

    Path landed = link.startsWith("/") ? root.resolve(link.substring(1)) : root.resolve("outside");
    assertThat(landed.resolve("canary")).hasContent("pwned");
    assertThat(Files.readSymbolicLink(root.resolve("evil"))).isEqualTo(Path.of(link));
  }

  @Test
  void writesThroughASymlinkOfALowerLayerStayInsideTheRoot() throws Exception {
    apply(new TestLayer().symlink("etc", "../outside"));
    apply(new TestLayer().file("etc/canary", "pwned").dir("etc/new/", 0755));

    assertThat(root.resolve("outside/canary")).hasContent("pwned");
    assertThat(root.resolve("outside/new")).isDirectory();
  }

  @Test
  void replacesAFinalSymlinkInsteadOfWritingToItsTarget() throws Exception {
    apply(new TestLayer().symlink("canary", outside.resolve("canary").toString()));
    apply(new TestLayer().file("canary", "pwned"));

    assertThat(root.resolve("canary")).isRegularFile().hasContent("pwned");
  }

  @Test
  void followsASymlinkChainWithinTheRootOnly() throws Exception {
    apply(
        new TestLayer()
            .dir("x/", 0755)
            .symlink("a", "x/b")
            .symlink("x/b", "../c")
            .symlink("c", "/../../../outside")
            .file("a/canary", "pwned"));

    assertThat(root.resolve("outside/canary")).hasContent("pwned");
  }

  @Test
  void refusesASymlinkLoop() {
    assertThatThrownBy(
            () ->
                apply(
                    new TestLayer()
                        .symlink("loop1", "loop2")
                        .symlink("loop2", "/loop1")
                        .file("loop1/f", "x")))
        .isInstanceOf(UnsafeLayerException.class)
        .hasMessage("layer sha256:bad entry \"loop1/f\": too many levels of symbolic links");
  }

  @Test
  void refusesAHardlinkThatClimbsOut() {
    assertThatThrownBy(() -> apply(new TestLayer().hardlink("h", "../outside/canary")))
        .isInstanceOf(UnsafeLayerException.class)
        .hasMessage(
            "layer sha256:bad entry \"h\": hardlink target \"../outside/canary\""
                + " escapes the root filesystem");
  }

  @Test
  void refusesAHardlinkToAnAbsolutePath() {
    String canary = outside.resolve("canary").toString();

    assertThatThrownBy(() -> apply(new TestLayer().hardlink("h", canary)))
        .isInstanceOf(UnsafeLayerException.class)
        .hasMessageContaining("hardlink target \"" + canary + "\" escapes the root filesystem");
    assertThat(root.resolve("h")).doesNotExist();
  }

  @Test
  void resolvesAHardlinkThroughASymlinkInsideTheRoot() {
    assertThatThrownBy(
            () -> apply(new TestLayer().symlink("evil", "../outside").hardlink("h", "evil/canary")))
        .isInstanceOf(UnsafeLayerException.class)
        .hasMessageContaining("hardlink target \"evil/canary\" does not exist");
  }

  @Test
  void hardlinksASymlinkItselfNotTheFileItPointsTo() throws Exception {
    apply(new TestLayer().symlink("s", outside.resolve("canary").toString()));
    apply(new TestLayer().hardlink("h", "s"));

    assertThat(Files.readSymbolicLink(root.resolve("h"))).isEqualTo(outside.resolve("canary"));
    assertThat(Files.isSameFile(root.resolve("h"), root.resolve("s"))).isTrue();
  }

  @Test
  void refusesAWhiteoutThatClimbsOut() {
    assertThatThrownBy(() -> apply(new TestLayer().file("../.wh.outside", "")))
        .isInstanceOf(UnsafeLayerException.class)
        .hasMessageContaining("path escapes the root filesystem");
  }

  @Test
  void appliesWhiteoutsThroughSymlinksInsideTheRootOnly() throws Exception {
    apply(new TestLayer().symlink("evil", "../outside").file("outside/canary", "inside"));
    apply(new TestLayer().file("evil/.wh.canary", "").file("evil/.wh..wh..opq", ""));

    assertThat(root.resolve("outside/canary")).doesNotExist();
    assertThat(root.resolve("evil")).isSymbolicLink();
  }

  @Test
  void refusesAWhiteoutOfTheDirectoryHoldingIt() {
    assertThatThrownBy(() -> apply(new TestLayer().file("etc/.wh..", "")))
        .isInstanceOf(UnsafeLayerException.class)
        .hasMessageContaining("not a valid whiteout");
  }

  @Test
  void stopsALayerThatExpandsBeyondTheByteLimit() throws Exception {
    apply(new TestLayer().file("first", "x".repeat(600)));

    assertThatThrownBy(() -> apply(new TestLayer().file("bomb", "y".repeat(600))))
        .isInstanceOf(UnpackLimitException.class)
        .hasMessage(
            "layer sha256:bad expands beyond the 1000 byte limit on unpacked file data"
                + " (a decompression bomb?)");
    assertThat(root.resolve("bomb")).doesNotExist();
  }

  @Test
  void countsFileDataAcrossEntriesOfALayer() {
    TestLayer layer = new TestLayer();
    for (int i = 0; i < 5; i++) {
      layer.file("f" + i, "z".repeat(300));
    }

    assertThatThrownBy(() -> apply(layer)).isInstanceOf(UnpackLimitException.class);
    assertThat(root.resolve("f3")).doesNotExist();
  }

  @Test
  void stopsReadingEndlessPaddingAfterTheLastEntry() {
    byte[] tar = new TestLayer().file("small", "ok").bytes();
    java.io.InputStream padded = new java.io.SequenceInputStream(
        new java.io.ByteArrayInputStream(tar),
        new java.io.InputStream() { // zeros without end: what a gzip bomb of padding yields
          @Override
          public int read() {
            return 0;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 0);
            return len;
          }
        });

    assertThatThrownBy(() -> applier.apply(padded, "sha256:bad"))
        .hasMessageContaining("after its last tar entry");
  }

  private void apply(TestLayer layer) throws IOException {
    applier.apply(layer.stream(), "sha256:bad");
  }
}
