package dev.hoist.image;

import dev.hoist.platform.Platform;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.internal.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an image configuration that pulling and unpacking need. The raw bytes stay in the
 * store; this is a read-only view of them.
 *
 * @param diffIds the {@code rootfs.diff_ids}: digests of the uncompressed layers, base first
 * @param created the {@code created} timestamp as written, empty when absent
 */
public record ImageConfig(Platform platform, List<Digest> diffIds, String created) {
  /** Configs larger than this are refused before parsing (containerd's limit). */
  public static final long MAX_BYTES = 64L << 20;

  public ImageConfig {
    diffIds = List.copyOf(diffIds);
  }

  /**
   * Parses an image configuration.
   *
   * @throws InvalidManifestException if the JSON is malformed or has no usable {@code rootfs}
   *     (docker: "invalid rootfs in image configuration")
   */
  public static ImageConfig parse(byte[] bytes) throws InvalidManifestException {
    JsonNode root;
    try {
      root = Json.mapper().readTree(bytes);
    } catch (IOException e) {
      throw new InvalidManifestException("image config is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidManifestException("image config is not a JSON object");
    }
    JsonNode rootfs = root.path("rootfs");
    JsonNode ids = rootfs.path("diff_ids");
    if (!rootfs.isObject() || !"layers".equals(rootfs.path("type").asText()) || !ids.isArray()) {
      throw new InvalidManifestException("invalid rootfs in image configuration");
    }
    List<Digest> diffIds = new ArrayList<>();
    for (JsonNode id : ids) {
      try {
        diffIds.add(Digest.parse(id.asText()));
      } catch (IllegalArgumentException e) {
        throw new InvalidManifestException("invalid rootfs in image configuration: " + e.getMessage());
      }
    }
    Platform platform =
        Platform.of(
            root.path("os").asText(""),
            root.path("architecture").asText(""),
            root.path("variant").asText(""));
    return new ImageConfig(platform, diffIds, root.path("created").asText(""));
  }
}
