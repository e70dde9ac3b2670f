package dev.hoist.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootPathTest {
  @TempDir Path root;

  @Test
  void resolveFollowsParentSymlinksInsideTheRoot() throws IOException {
    Files.createDirectories(root.resolve("real/dir"));
    Files.createSymbolicLink(root.resolve("link"), Path.of("/real"));
    RootPath paths = new RootPath(root);

    assertThat(paths.resolve("link/dir/file")).isEqualTo("real/dir/file");
    assertThat(paths.resolve("real/dir/file")).isEqualTo("real/dir/file");
  }

  @Test
  void aDirectoryReplacedByASymlinkIsResolvedAnew() throws IOException {
    Files.createDirectories(root.resolve("a"));
    Files.createDirectories(root.resolve("b"));
    RootPath paths = new RootPath(root);
    assertThat(paths.resolve("a/file")).isEqualTo("a/file"); // "a" now known as a directory

    paths.delete("a");
    Files.createSymbolicLink(root.resolve("a"), Path.of("../b"));

    assertThat(paths.resolve("a/file")).isEqualTo("b/file");
  }
}
