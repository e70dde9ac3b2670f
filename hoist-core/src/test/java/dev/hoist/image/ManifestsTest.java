package dev.hoist.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestsTest {
  private static final String CONFIG = "sha256:" + "c".repeat(64);
  private static final String LAYER = "sha256:" + "1".repeat(64);

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final byte[] DOCKER_MANIFEST =
      json(
          "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\","
              + "\"config\":{\"mediaType\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"size\":7,"
              + "\"digest\":\"" + CONFIG + "\"},"
              + "\"layers\":[{\"mediaType\":\"" + MediaTypes.DOCKER_LAYER + "\",\"size\":42,"
              + "\"digest\":\"" + LAYER + "\"}]}");

  @Test
  void parsesDockerSchema2Manifest() throws Exception {
    String type = Manifests.mediaTypeOf(DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST);
    ImageManifest m = (ImageManifest) Manifests.parse(DOCKER_MANIFEST, type);

    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(m.config().digest()).hasToString(CONFIG);
    assertThat(m.layers()).singleElement().satisfies(l -> {
      assertThat(l.size()).isEqualTo(42);
      assertThat(l.mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER);
    });
  }

  @Test
  void takesTheMediaTypeFromContentTypeWhenTheDocumentHasNone() throws Exception {
    byte[] oci =
        json("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG
            + "\",\"size\":2,\"digest\":\"" + CONFIG + "\"},\"layers\":[]}");

    assertThat(Manifests.mediaTypeOf(oci, MediaTypes.OCI_MANIFEST + "; charset=utf-8"))
        .isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void parseServedTypesADocumentWithoutMediaTypeByItsContentType() throws Exception {
    byte[] oci =
        json("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG
            + "\",\"size\":2,\"digest\":\"" + CONFIG + "\"},\"layers\":[]}");

    Manifest m = Manifests.parseServed(oci, MediaTypes.OCI_MANIFEST);

    assertThat(m).isInstanceOf(ImageManifest.class);
    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThatThrownBy(() -> Manifests.parseServed(oci, ""))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("no media type");
  }

  @Test
  void refusesManifestWhoseDeclaredTypeContradictsContentType() {
    assertThatThrownBy(() -> Manifests.mediaTypeOf(DOCKER_MANIFEST, MediaTypes.OCI_INDEX))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("mismatch");
  }

  @Test
  void recognisesSchema1ByItsVersionSoItCanBeRefusedByName() throws Exception {
    byte[] schema1 = json("{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"y\",\"fsLayers\":[]}");

    assertThat(Manifests.mediaTypeOf(schema1, "application/json"))
        .isEqualTo(MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST);
  }

  @Test
  void parsesIndexWithPlatforms() throws Exception {
    byte[] index =
        json("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
            + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"size\":1,\"digest\":\"" + LAYER
            + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]}");

    ImageIndex i = (ImageIndex) Manifests.parse(index, MediaTypes.OCI_INDEX);

    assertThat(i.manifests().get(0).platform()).hasToString("linux/arm/v7");
  }

  @Test
  void refusesUnknownMediaTypesByName() {
    assertThatThrownBy(() -> Manifests.parse(DOCKER_MANIFEST, "application/vnd.example+json"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("unsupported manifest media type application/vnd.example+json");
  }

  @Test
  void refusesMalformedDocuments() {
    assertThatThrownBy(() -> Manifests.mediaTypeOf(json("{not json"), MediaTypes.OCI_MANIFEST))
        .isInstanceOf(InvalidManifestException.class);
    assertThatThrownBy(() -> Manifests.mediaTypeOf(json("[1,2]"), MediaTypes.OCI_MANIFEST))
        .isInstanceOf(InvalidManifestException.class);
    assertThatThrownBy(
            () -> Manifests.parse(json("{\"config\":{\"digest\":\"sha256:zz\",\"size\":1}}"),
                MediaTypes.OCI_MANIFEST))
        .hasMessageContaining("invalid digest");
    assertThatThrownBy(
            () -> Manifests.parse(json("{\"config\":{\"digest\":\"" + CONFIG + "\",\"size\":-1}}"),
                MediaTypes.OCI_MANIFEST))
        .hasMessageContaining("invalid size");
    assertThatThrownBy(() -> Manifests.parse(json("{}"), MediaTypes.OCI_MANIFEST))
        .hasMessageContaining("no valid config descriptor");
  }

  @Test
  void refusesDeeplyNestedDocuments() {
    String deep = "{\"a\":".repeat(1000) + "1" + "}".repeat(1000);

    assertThatThrownBy(() -> Manifests.mediaTypeOf(json(deep), MediaTypes.OCI_MANIFEST))
        .isInstanceOf(InvalidManifestException.class);
  }
}
