package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several hoist processes pulling into one store at once keep every tag and every blob whole. */
class ConcurrentPullsIT {
  @Test
  void processesPullingIntoOneStoreKeepEachOthersTags(@TempDir Path work) throws Exception {
    TestImages.SharedBase images = TestImages.sharingBase(work.resolve("fixtures"));
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      List<String> refs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        var image = i % 2 == 0 ? images.first() : images.second();
        registry.push(image, "team/app" + i, "v1");
        refs.add(registry.host() + "/team/app" + i + ":v1");
      }
      Path store = work.resolve("store");

      List<Process> processes = new ArrayList<>();
      for (int i = 0; i < refs.size(); i++) {
        processes.add(
            new ProcessBuilder(javaBinary(), "-jar", System.getProperty("hoist.jar"),
                    "pull", "--store", store.toString(), refs.get(i))
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("pull" + i + ".log").toFile())
                .start());
      }
      for (int i = 0; i < processes.size(); i++) {
        Process p = processes.get(i);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(work.resolve("pull" + i + ".log"))).isZero();
      }

      for (String ref : refs) {
        String inspected = Tools.run(List.of("skopeo", "inspect", "oci:" + store + ":" + ref), work);
        assertThat(inspected).contains("\"Digest\"");
      }
      try (var ingest = Files.list(store.resolve(".hoist/ingest"))) {
        assertThat(ingest).isEmpty();
      }
    }
  }

  @Test
  void processesPullingTheSameImageBothSucceedAndStoreEachBlobOnce(@TempDir Path work)
      throws Exception {
    var image = TestImages.multiLayer(work.resolve("fixtures"));
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      registry.push(image, "team/same", "v1");
      String ref = registry.host() + "/team/same:v1";
      Path store = work.resolve("store");

      List<Process> processes = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        processes.add(new ProcessBuilder(javaBinary(), "-jar", System.getProperty("hoist.jar"),
                "pull", "--store", store.toString(), ref)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("same" + i + ".log").toFile())
            .start());
      }
      for (int i = 0; i < processes.size(); i++) {
        assertThat(processes.get(i).waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(processes.get(i).exitValue()).as(Files.readString(work.resolve("same" + i + ".log"))).isZero();
      }

      for (String layer : image.layerDigests()) {
        Path blob = store.resolve("blobs/sha256/" + layer.substring(7));
        assertThat(blob).hasSameBinaryContentAs(image.blob(layer));
      }
      try (var blobs = Files.list(store.resolve("blobs/sha256"))) {
        assertThat(blobs.map(p -> p.getFileName().toString()).toList()).doesNotHaveDuplicates();
      }
      assertThat(Tools.run(List.of("skopeo", "inspect", "oci:" + store + ":" + ref), work)).contains(image.manifestDigest());
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
