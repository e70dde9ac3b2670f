package dev.hoist.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "APPLICATION/VND.OCI.IMAGE.LAYER.V1.TAR",
        "application/octet-stream",
        ""
      })
  void acceptsWhatDockerAcceptsForLayers(String mediaType) {
    assertThat(MediaTypes.isSupportedBlob(mediaType)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/vnd.oci.images_are_fun_yolo",
        "application/vnd.dockerish.layer",
        "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
        "application/x-tar"
      })
  void refusesLookAlikes(String mediaType) {
    assertThat(MediaTypes.isSupportedBlob(mediaType)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "application/vnd.docker.container.image.v1+json, image",
    "application/vnd.oci.image.config.v1+json, image",
    "application/octet-stream, image",
    "application/vnd.docker.plugin.v1+json, plugin",
    "application/vnd.cncf.helm.config.v1+json, helm chart",
    "application/vnd.example.thing+json, unknown",
  })
  void classifiesConfigsAsDockerDoes(String mediaType, String kind) {
    assertThat(MediaTypes.configClass(mediaType)).isEqualTo(kind);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/vnd.docker.ai.model.config.v0.1+json", "application/vnd.docker.ai.gguf.v3"})
  void recognisesDockerAiModels(String mediaType) {
    assertThat(MediaTypes.isAiModel(mediaType)).isTrue();
  }
}
