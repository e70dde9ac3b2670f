package dev.hoist.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFixturesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void multiLayerHasThreeGzipLayersOfRealFilesAndAWhiteout() throws IOException {
    OciLayoutImage image = TestImages.multiLayer(work);
    List<String> layers = image.layerDigests();

    assertThat(layers).hasSize(image.layerCount()).hasSize(3).doesNotHaveDuplicates();
    assertThat(entries(image.blob(layers.get(0))))
        .contains("usr/share/common-licenses/Apache-2.0", "usr/share/common-licenses/GPL-3");
    assertThat(entries(image.blob(layers.get(1)))).contains("etc/passwd");
    assertThat(entries(image.blob(layers.get(2))))
        .contains("usr/share/common-licenses/.wh.Apache-2.0")
        .anyMatch(e -> e.startsWith("usr/share/doc/"));
  }

  @Test
  void sharingBaseImagesHaveTheSameBottomLayerAndDifferentTopLayers() throws IOException {
    TestImages.SharedBase images = TestImages.sharingBase(work);
    List<String> base = images.base().layerDigests();
    List<String> first = images.first().layerDigests();
    List<String> second = images.second().layerDigests();

    assertThat(base).hasSize(1);
    assertThat(first).hasSize(2).startsWith(base.get(0));
    assertThat(second).hasSize(2).startsWith(base.get(0));
    assertThat(first.get(1)).isNotEqualTo(second.get(1));
  }

  @Test
  void largeLayerIsAnUncompressedTarWhoseDigestIsItsDiffId() throws IOException {
    long size = 8 << 20;
    OciLayoutImage image = TestImages.largeLayer(work, size);
    String layer = image.layerDigests().get(0);
    JsonNode config = JSON.readTree(image.blob(image.configDigest()).toFile());

    assertThat(image.layerCount()).isEqualTo(1);
    assertThat(config.path("rootfs").path("diff_ids").get(0).asText()).isEqualTo(layer);
    assertThat(FaultRegistry.sha256(Files.readAllBytes(image.blob(layer)))).isEqualTo(layer);
    assertThat(Files.size(image.blob(layer))).isGreaterThan(size);
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(Files.newInputStream(image.blob(layer)))) {
      assertThat(tar.getNextEntry().getName()).isEqualTo("data/");
      TarArchiveEntry file = tar.getNextEntry();
      assertThat(file.getName()).isEqualTo("data/random.bin");
      assertThat(file.getSize()).isEqualTo(size);
      assertThat(tar.transferTo(OutputStream.nullOutputStream())).isEqualTo(size);
    }
  }

  private static List<String> entries(Path gzipTar) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(gzipTar);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        names.add(e.getName().replaceFirst("^\\./", ""));
      }
    }
    return names;
  }
}
