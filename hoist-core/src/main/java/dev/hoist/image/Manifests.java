package dev.hoist.image;

import dev.hoist.platform.Platform;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.internal.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses manifest bytes by media type. The type is decided from the document's own
 * {@code mediaType} field and the response's {@code Content-Type}, never guessed from the shape
 * of the JSON; a type hoist does not know is refused by name.
 */
public final class Manifests {
  /** Manifests and indexes larger than this are refused before parsing (containerd's limit). */
  public static final int MAX_BYTES = 4 << 20;

  private Manifests() {}

  /**
   * The media type of a manifest: its {@code mediaType} field, else the {@code Content-Type} it
   * was served with. A schema 1 document (no media type, {@code schemaVersion: 1}) is reported as
   * {@link MediaTypes#DOCKER_SCHEMA1_SIGNED_MANIFEST} so the caller can refuse it by name.
   *
   * @throws InvalidManifestException if the bytes are not JSON or the two sources disagree
   */
  public static String mediaTypeOf(byte[] bytes, String contentType)
      throws InvalidManifestException {
    return mediaTypeOf(readObject(bytes), contentType);
  }

  /**
   * Parses an image manifest or index of the media type {@link #mediaTypeOf} decides, reading the
   * JSON once. For stored content, {@code contentType} is the media type of the descriptor that
   * names it.
   *
   * @throws InvalidManifestException for unknown media types and malformed documents
   */
  public static Manifest parseServed(byte[] bytes, String contentType)
      throws InvalidManifestException {
    JsonNode root = readObject(bytes);
    return parse(root, mediaTypeOf(root, contentType));
  }

  /**
   * Parses a manifest or index that the store already holds, typed leniently: its own mediaType
   * field, else the media type of the descriptor naming it, else its shape (OCI makes the field
   * optional). Unlike {@link #parseServed}, which judges what a registry sends, a mismatch is not
   * an error: what keeps blobs alive or reads a stored image must not lose a manifest to a label.
   *
   * @throws InvalidManifestException when the bytes are not a manifest or index at all
   */
  public static Manifest parseStored(byte[] bytes, String descriptorType)
      throws InvalidManifestException {
    JsonNode root = readObject(bytes);
    String declared = root.path("mediaType").asText("");
    String type;
    if (!declared.isEmpty()) {
      type = declared;
    } else if (isSpecific(descriptorType == null ? "" : descriptorType)) {
      type = descriptorType;
    } else if (root.path("manifests").isArray()) {
      type = MediaTypes.OCI_INDEX;
    } else if (root.path("config").isObject() && root.path("layers").isArray()) {
      type = MediaTypes.OCI_MANIFEST;
    } else {
      throw new InvalidManifestException("not a manifest or index");
    }
    return parse(root, type);
  }

  private static String mediaTypeOf(JsonNode root, String contentType)
      throws InvalidManifestException {
    String declared = root.path("mediaType").asText("");
    String served = contentType == null ? "" : contentType.split(";", 2)[0].trim();
    if (!declared.isEmpty()) {
      if (isSpecific(served) && !served.equals(declared)) {
        throw new InvalidManifestException(
            "manifest media type mismatch: served as " + served + " but declares " + declared);
      }
      return declared;
    }
    if (isSpecific(served)) {
      return served;
    }
    if (root.path("schemaVersion").asInt(0) == 1) {
      return MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST;
    }
    throw new InvalidManifestException(
        "unsupported manifest format: no media type in the document or its Content-Type");
  }

  /**
   * Parses an image manifest or index of the given media type.
   *
   * @throws InvalidManifestException for unknown media types and malformed documents
   */
  public static Manifest parse(byte[] bytes, String mediaType) throws InvalidManifestException {
    return parse(readObject(bytes), mediaType);
  }

  private static Manifest parse(JsonNode root, String mediaType) throws InvalidManifestException {
    if (MediaTypes.isImageManifest(mediaType)) {
      return new ImageManifest(
          mediaType,
          descriptor(root.path("config"), "config"),
          descriptors(root.path("layers"), "layers"),
          strings(root.path("annotations")),
          root.path("artifactType").asText(""));
    }
    if (MediaTypes.isIndex(mediaType)) {
      return new ImageIndex(
          mediaType, descriptors(root.path("manifests"), "manifests"), strings(root.path("annotations")));
    }
    throw new InvalidManifestException(
        "unsupported manifest media type "
            + mediaType
            + " (supported: "
            + String.join(", ", MediaTypes.ACCEPTED_MANIFESTS)
            + ")");
  }

  private static boolean isSpecific(String contentType) {
    return !contentType.isEmpty()
        && !contentType.equals("application/json")
        && !contentType.equals("text/plain")
        && !contentType.equals("application/octet-stream");
  }

  private static JsonNode readObject(byte[] bytes) throws InvalidManifestException {
    try {
      JsonNode root = Json.mapper().readTree(bytes);
      if (root == null || !root.isObject()) {
        throw new InvalidManifestException("manifest is not a JSON object");
      }
      return root;
    } catch (InvalidManifestException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidManifestException("manifest is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static List<Descriptor> descriptors(JsonNode array, String field)
      throws InvalidManifestException {
    if (array.isMissingNode() || array.isNull()) {
      return List.of();
    }
    if (!array.isArray()) {
      throw new InvalidManifestException("manifest field " + field + " is not an array");
    }
    List<Descriptor> result = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      result.add(descriptor(array.get(i), field + "[" + i + "]"));
    }
    return result;
  }

  static Descriptor descriptor(JsonNode node, String field) throws InvalidManifestException {
    if (!node.isObject()) {
      throw new InvalidManifestException("manifest has no valid " + field + " descriptor");
    }
    Digest digest;
    try {
      digest = Digest.parse(node.path("digest").asText(""));
    } catch (IllegalArgumentException e) {
      throw new InvalidManifestException(
          "manifest " + field + " has an invalid digest: " + e.getMessage());
    }
    JsonNode size = node.path("size");
    if (!size.canConvertToLong() || size.asLong() < 0) {
      throw new InvalidManifestException("manifest " + field + " has an invalid size: " + size);
    }
    List<String> urls = new ArrayList<>();
    node.path("urls").forEach(u -> urls.add(u.asText()));
    return new Descriptor(
        node.path("mediaType").asText(""),
        digest,
        size.asLong(),
        urls,
        strings(node.path("annotations")),
        platform(node.path("platform")));
  }

  private static Platform platform(JsonNode node) {
    if (!node.isObject()) {
      return null;
    }
    List<String> features = new ArrayList<>();
    node.path("os.features").forEach(f -> features.add(f.asText()));
    return new Platform(
        node.path("os").asText(""),
        node.path("architecture").asText(""),
        node.path("variant").asText(""),
        node.path("os.version").asText(""),
        features);
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
