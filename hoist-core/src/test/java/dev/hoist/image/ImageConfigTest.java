package dev.hoist.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageConfigTest {
  @Test
  void readsPlatformAndDiffIds() throws Exception {
    String id = "sha256:" + "d".repeat(64);
    byte[] config =
        ("{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"created\":\"2024-01-01T00:00:00Z\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + id + "\"]}}")
            .getBytes(StandardCharsets.UTF_8);

    ImageConfig parsed = ImageConfig.parse(config);

    assertThat(parsed.platform()).hasToString("linux/arm64/v8");
    assertThat(parsed.diffIds()).containsExactly(Digest.parse(id));
    assertThat(parsed.created()).isEqualTo("2024-01-01T00:00:00Z");
  }

  @Test
  void refusesConfigWithoutRootfsInDockersWords() {
    assertThatThrownBy(() -> ImageConfig.parse("{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessage("invalid rootfs in image configuration");
    assertThatThrownBy(
            () -> ImageConfig.parse(
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"nope\"]}}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("invalid rootfs in image configuration");
  }
}
