package dev.hoist.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerCompressionTest {
  private static final byte[] TAR = "pretend this is a tar".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
    "application/vnd.oci.image.layer.v1.tar+gzip, GZIP",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip, GZIP",
    "application/vnd.docker.image.rootfs.diff.tar.gzip, GZIP",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip, GZIP",
    "APPLICATION/VND.DOCKER.IMAGE.ROOTFS.DIFF.TAR.GZIP, GZIP",
    "application/x-tar.gz, GZIP",
    "application/vnd.oci.image.layer.v1.tar+zstd, ZSTD",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd, ZSTD",
    "application/vnd.oci.image.layer.v1.tar, NONE",
    "application/vnd.oci.image.layer.nondistributable.v1.tar, NONE",
    "application/vnd.docker.image.rootfs.diff.tar, NONE",
    "application/octet-stream, NONE",
    "'', NONE",
    "application/vnd.oci.image.layer.v1.tar+bzip2, NULL",
    "application/vnd.oci.image.config.v1+json, NULL",
    "application/json, NULL",
  })
  void aLayerMediaTypeNamesItsCompression(String mediaType, LayerCompression compression) {
    assertThat(LayerCompression.ofMediaType(mediaType)).isEqualTo(Optional.ofNullable(compression));
  }

  @Test
  void eachCompressionUndoesItself() throws IOException {
    assertThat(decompress(LayerCompression.NONE, TAR)).isEqualTo(TAR);
    assertThat(decompress(LayerCompression.GZIP, gzip(TAR))).isEqualTo(TAR);
    assertThat(decompress(LayerCompression.ZSTD, Zstd.compress(TAR))).isEqualTo(TAR);
  }

  @Test
  void eachNamesTheOciMediaTypeOfItsLayers() {
    assertThat(LayerCompression.NONE.ociMediaType()).isEqualTo(MediaTypes.OCI_LAYER);
    assertThat(LayerCompression.GZIP.ociMediaType()).isEqualTo(MediaTypes.OCI_LAYER_GZIP);
    assertThat(LayerCompression.ZSTD.ociMediaType()).isEqualTo(MediaTypes.OCI_LAYER_ZSTD);
  }

  private static byte[] decompress(LayerCompression compression, byte[] bytes) throws IOException {
    try (InputStream in = compression.decompress(new ByteArrayInputStream(bytes), 1 << 10)) {
      return in.readAllBytes();
    }
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}
