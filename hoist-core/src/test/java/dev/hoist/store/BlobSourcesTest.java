package dev.hoist.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.image.Digest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobSourcesTest {
  @TempDir Path dir;

  @Test
  void remembersDiffIdAndRepositoriesNewestLast() throws Exception {
    BlobSources sources = OciStore.open(dir).sources();
    Digest blob = Digest.sha256("layer");
    Digest diffId = Digest.sha256("tar");

    sources.record(blob, diffId, "docker.io/library/a");
    sources.record(blob, diffId, "docker.io/library/b");
    sources.record(blob, diffId, "docker.io/library/a");

    BlobSources.Entry entry = sources.read(blob);
    assertThat(entry.diffId()).contains(diffId);
    assertThat(entry.repositories()).containsExactly("docker.io/library/b", "docker.io/library/a");
  }

  @Test
  void keepsAtMostFiftyRepositories() throws Exception {
    BlobSources sources = OciStore.open(dir).sources();
    Digest blob = Digest.sha256("layer");
    for (int i = 0; i < 60; i++) {
      sources.record(blob, Digest.sha256("tar"), "example.com/repo" + i);
    }

    assertThat(sources.read(blob).repositories()).hasSize(50).endsWith("example.com/repo59");
  }

  @Test
  void knowsNothingOfBlobsNeverRecorded() throws Exception {
    assertThat(OciStore.open(dir).sources().read(Digest.sha256("?")).diffId()).isEmpty();
  }
}
