package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory stays bounded whatever the layer size: a 1 GiB layer pulled by a JVM of 128 MiB. */
class LargeLayerPullIT {
  private static final long ONE_GIB = 1L << 30;

  @Test
  void pullsAOneGibLayerWithA128MibHeap(@TempDir Path work) throws Exception {
    OciLayoutImage image = TestImages.largeLayer(work.resolve("fixture"), ONE_GIB);
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      String digest = registry.push(image, "big/layer", "v1");
      String layer = image.layerDigests().get(0);
      Dirs.delete(image.layout()); // leave room on disk: the registry and the store hold copies
      Path store = work.resolve("store");
      String ref = registry.host() + "/big/layer:v1";

      Process process =
          new ProcessBuilder(
                  javaBinary(), "-Xmx128m", "-jar", System.getProperty("hoist.jar"),
                  "pull", "--store", store.toString(), ref)
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("pull.log").toFile())
              .start();
      boolean finished = process.waitFor(10, TimeUnit.MINUTES);
      if (!finished) {
        process.destroyForcibly().waitFor();
      }
      String log = Files.readString(work.resolve("pull.log"));

      assertThat(finished).as("pull finished within 10 minutes").isTrue();
      assertThat(process.exitValue()).as(log).isZero();
      assertThat(log).contains("Digest: " + digest).doesNotContain("OutOfMemoryError");
      assertThat(Files.size(store.resolve("blobs/sha256/" + layer.substring(7)))).isGreaterThanOrEqualTo(ONE_GIB);
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Deletes a fixture tree. */
  static final class Dirs {
    static void delete(Path root) throws IOException {
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
