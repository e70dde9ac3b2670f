package dev.hoist.pull;

import dev.hoist.image.Descriptor;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.MediaTypes;
import dev.hoist.reference.ImageReference;

/**
 * What docker checks of an image manifest before fetching anything (moby's
 * {@code validateMediaType} and {@code checkSupportedMediaType}): that its config is an image
 * config, its layers are of a type docker would pull, and that it is not too deep to stack.
 */
final class ImageChecks {
  private static final int MAX_LAYERS = 125;

  private ImageChecks() {}

  static void validate(ImageReference ref, ImageManifest manifest, long maxConfigBytes)
      throws InvalidManifestException {
    String configType = manifest.config().mediaType();
    if (!manifest.artifactType().isEmpty() || MediaTypes.OCI_EMPTY.equals(configType)) {
      String type = manifest.artifactType().isEmpty() ? configType : manifest.artifactType();
      throw new InvalidManifestException(
          ref.familiarString() + " is an OCI artifact (" + type + "), not an image: hoist pulls"
              + " container images only");
    }
    if (MediaTypes.isAiModel(configType)) {
      throw new InvalidManifestException(AI_MODEL);
    }
    if (!MediaTypes.isImageConfig(configType)) {
      String kind = MediaTypes.configClass(configType);
      String hint = switch (kind) {
        case "plugin" -> "; this is a docker plugin: install it with 'docker plugin install'";
        case "helm chart" -> "; this is a Helm chart: pull it with 'helm pull oci://"
            + ref.withoutTag().withoutDigest() + "'";
        default -> "; it is not a container image";
      };
      throw new InvalidManifestException(
          "Encountered remote \"" + configType + "\"(" + kind + ") when fetching" + hint);
    }
    if (manifest.layers().size() > MAX_LAYERS) {
      // docker's layer store stops at 125 too; it also bounds the tasks one pull starts
      throw new InvalidManifestException("max depth exceeded: " + ref.familiarString() + " has "
          + manifest.layers().size() + " layers, more than " + MAX_LAYERS);
    }
    for (Descriptor layer : manifest.layers()) {
      if (MediaTypes.isAiModel(layer.mediaType())) {
        throw new InvalidManifestException(AI_MODEL);
      }
      if (!MediaTypes.isSupportedBlob(layer.mediaType())) {
        throw new InvalidManifestException("unsupported media type " + layer.mediaType());
      }
    }
    if (manifest.config().size() > maxConfigBytes) {
      throw new InvalidManifestException(
          "image config " + manifest.config().digest() + " is " + manifest.config().size()
              + " bytes, more than the " + maxConfigBytes + " byte limit");
    }
  }

  private static final String AI_MODEL =
      "AI models are not yet supported by the Engine, please use \"docker model pull/run\" instead";

}
