package dev.hoist.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.internal.json.Json;
import java.util.Map;

/**
 * Writes an image manifest as an OCI image manifest, the form OCI tools (skopeo's {@code oci:}
 * transport, umoci) require of what an image layout names. A Docker schema 2 manifest converts
 * losslessly: the config and layer blobs stay byte for byte the same, only media types change,
 * exactly as {@code skopeo copy docker://… oci:…} converts it. The output is deterministic, so the
 * same manifest always converts to the same digest.
 */
public final class OciManifests {
  private OciManifests() {}

  /** The OCI manifest bytes for {@code manifest}. */
  public static byte[] toOci(ImageManifest manifest) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_MANIFEST);
    if (!manifest.artifactType().isEmpty()) {
      root.put("artifactType", manifest.artifactType());
    }
    root.set("config", descriptor(manifest.config(), configType(manifest.config().mediaType())));
    ArrayNode layers = root.putArray("layers");
    for (Descriptor layer : manifest.layers()) {
      layers.add(descriptor(layer, layerType(layer.mediaType())));
    }
    putAnnotations(root, manifest.annotations());
    try {
      return Json.mapper().writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a manifest", e);
    }
  }

  static String configType(String mediaType) {
    return MediaTypes.DOCKER_CONFIG.equals(mediaType) || mediaType.isEmpty()
        ? MediaTypes.OCI_CONFIG
        : mediaType;
  }

  static String layerType(String mediaType) {
    return switch (mediaType) {
      case MediaTypes.DOCKER_LAYER -> MediaTypes.OCI_LAYER_GZIP;
      case "application/vnd.docker.image.rootfs.diff.tar" -> MediaTypes.OCI_LAYER;
      case MediaTypes.DOCKER_FOREIGN_LAYER ->
          "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
      default -> mediaType;
    };
  }

  private static ObjectNode descriptor(Descriptor d, String mediaType) {
    ObjectNode node = Json.mapper().createObjectNode();
    node.put("mediaType", mediaType);
    node.put("digest", d.digest().toString());
    node.put("size", d.size());
    if (!d.urls().isEmpty()) {
      ArrayNode urls = node.putArray("urls");
      d.urls().forEach(urls::add);
    }
    putAnnotations(node, d.annotations());
    return node;
  }

  private static void putAnnotations(ObjectNode node, Map<String, String> annotations) {
    if (!annotations.isEmpty()) {
      ObjectNode a = node.putObject("annotations");
      new java.util.TreeMap<>(annotations).forEach(a::put);
    }
  }
}
