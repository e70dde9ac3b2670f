package dev.hoist.image;

import java.util.List;

/**
 * The media types hoist knows, with the predicates the puller decides by. Media types are plain
 * strings so that unknown ones round-trip unchanged.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/media-types.md">OCI media
 *     types</a>
 */
public final class MediaTypes {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_SCHEMA1_MANIFEST =
      "application/vnd.docker.distribution.manifest.v1+json";
  public static final String DOCKER_SCHEMA1_SIGNED_MANIFEST =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  public static final String DOCKER_FOREIGN_LAYER =
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

  /** What a manifest request accepts, most specific first. */
  public static final List<String> ACCEPTED_MANIFESTS =
      List.of(OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

  private MediaTypes() {}

  /** An image manifest: one platform, a config and layers. */
  public static boolean isImageManifest(String mediaType) {
    return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
  }

  /** An index of manifests (OCI image index or Docker manifest list). */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
  }

  /** The retired Docker v2 schema 1 format, refused since docker 28 and containerd 2.1. */
  public static boolean isSchema1(String mediaType) {
    return DOCKER_SCHEMA1_MANIFEST.equals(mediaType)
        || DOCKER_SCHEMA1_SIGNED_MANIFEST.equals(mediaType);
  }

  /**
   * A media type docker accepts for an image config. Docker also takes a few generic types that
   * old registries served configs with (moby {@code distribution/registry.go}).
   */
  public static boolean isImageConfig(String mediaType) {
    return mediaType == null
        || mediaType.isEmpty()
        || DOCKER_CONFIG.equals(mediaType)
        || OCI_CONFIG.equals(mediaType)
        || "application/octet-stream".equals(mediaType)
        || "application/json".equals(mediaType)
        || "text/html".equals(mediaType);
  }

  /**
   * Whether docker would pull a blob of this media type (moby's {@code checkSupportedMediaType}):
   * an OCI or Docker type, or one of the generic types old images carry. A prefix matches only up
   * to a dot, so {@code application/vnd.oci.image.layer.v1.tar+zstd} is accepted and a look-alike
   * such as {@code application/vnd.oci.images_are_fun} is not.
   */
  public static boolean isSupportedBlob(String mediaType) {
    String lower = mediaType.toLowerCase(java.util.Locale.ROOT);
    for (String supported : SUPPORTED_PREFIXES) {
      if (lower.equals(supported) || (!supported.isEmpty() && lower.startsWith(supported + "."))) {
        return true;
      }
    }
    return false;
  }

  private static final List<String> SUPPORTED_PREFIXES =
      List.of(
          "application/vnd.oci.image",
          "application/vnd.docker",
          "application/octet-stream",
          "application/json",
          "text/html",
          "");

  /** Docker's AI model artifacts, which docker pulls with {@code docker model pull}. */
  public static boolean isAiModel(String mediaType) {
    return mediaType.toLowerCase(java.util.Locale.ROOT).startsWith("application/vnd.docker.ai.");
  }

  /**
   * What kind of thing a config media type says a manifest is ({@code image}, {@code plugin},
   * {@code helm chart}, ...), for docker's "Encountered remote ..." message; {@code unknown} when
   * it is none hoist knows.
   */
  public static String configClass(String mediaType) {
    if (isImageConfig(mediaType)) {
      return "image";
    }
    return switch (mediaType) {
      case "application/vnd.docker.plugin.v1+json" -> "plugin";
      case "application/vnd.cncf.helm.config.v1+json" -> "helm chart";
      case "application/vnd.wasm.config.v0+json", "application/vnd.wasm.config.v1+json" -> "wasm module";
      case "application/vnd.cncf.flux.config.v1+json" -> "flux artifact";
      case "application/vnd.unknown.config.v1+json", OCI_EMPTY -> "artifact";
      default -> "unknown";
    };
  }
}
