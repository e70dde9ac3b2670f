package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist unpack} and {@code hoist pull --unpack} against the real registry. */
class UnpackCommandIT {
  @TempDir static Path fixtures;
  @TempDir Path work;
  static LocalRegistry registry;
  static String ref;

  @BeforeAll
  static void pushImage() throws IOException {
    registry = LocalRegistry.anonymous();
    OciLayoutImage image = TestImages.multiLayer(fixtures);
    registry.push(image, "team/unpack", "v1");
    ref = registry.host() + "/team/unpack:v1";
  }

  @AfterAll
  static void stop() throws IOException {
    registry.close();
  }

  @Test
  void unpacksAPulledImageIntoADirectory() {
    String store = work.resolve("store").toString();
    Path rootfs = work.resolve("rootfs");
    assertThat(CliRun.of("pull", "-q", "--store", store, ref).exitCode()).isZero();

    CliRun run = CliRun.of("unpack", "--store", store, ref, rootfs.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).containsExactly("Unpacked " + ref + " to " + rootfs);
    assertThat(rootfs.resolve("etc/passwd")).isRegularFile();
    assertThat(rootfs.resolve("usr/share/common-licenses/Apache-2.0")).doesNotExist();
  }

  @Test
  void pullWithUnpackLeavesTheRootFilesystemBehind() {
    Path rootfs = work.resolve("rootfs");

    CliRun run = CliRun.of("pull", "--progress", "plain", "--store", work.resolve("store").toString(),
        "--unpack", rootfs.toString(), ref);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).contains("Status: Downloaded newer image for " + ref);
    assertThat(rootfs.resolve("etc/passwd")).isRegularFile();
  }

  @Test
  void anImageNotInTheStoreIsNamedInDockersWords() {
    Path rootfs = work.resolve("rootfs");

    CliRun run = CliRun.of("unpack", "--store", work.resolve("store").toString(), "busybox", rootfs.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines()).containsExactly("Error: No such image: busybox");
    assertThat(rootfs).doesNotExist();
  }

  @Test
  void refusesToUnpackOverADirectoryWithFiles() throws IOException {
    String store = work.resolve("store").toString();
    Path rootfs = Files.createDirectories(work.resolve("rootfs"));
    Files.writeString(rootfs.resolve("keep-me"), "precious");
    CliRun.of("pull", "-q", "--store", store, ref);

    CliRun run = CliRun.of("unpack", "--store", store, ref, rootfs.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("already exists and is not an empty directory");
    assertThat(rootfs.resolve("keep-me")).hasContent("precious");
  }
}
