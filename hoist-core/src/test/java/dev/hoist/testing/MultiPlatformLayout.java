package dev.hoist.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link MultiPlatformImage}s: each platform's image is built by {@code umoci} from real
 * files; the config's {@code variant} (which umoci 0.4.7 cannot set), the index and {@code
 * index.json} are written here, digests recomputed.
 */
final class MultiPlatformLayout {
  private static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
  private static final String UNKNOWN_TYPE = "application/vnd.example.unknown+json";
  private static final String EMPTY_TYPE = "application/vnd.oci.empty.v1+json";
  private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  private static final String REF_NAME = "org.opencontainers.image.ref.name";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One entry of the index; {@code license} picks the real file that makes its layer differ. */
  private record Spec(String os, String architecture, String variant, String license) {
    String key() {
      return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
  }

  private static final List<Spec> PLATFORMS =
      List.of(
          new Spec("linux", "amd64", "", "BSD"),
          new Spec("linux", "arm64", "v8", "Artistic"),
          new Spec("linux", "arm", "v7", "CC0-1.0"),
          new Spec("windows", "amd64", "", "MPL-2.0"));

  private MultiPlatformLayout() {}

  static MultiPlatformImage write(Path workDir, String tag) throws IOException {
    Path layout = workDir.resolve("multi-platform");
    Files.createDirectories(workDir);
    umoci(workDir, "init", "--layout", layout.toString());
    Map<String, OciLayoutImage> images = new LinkedHashMap<>();
    List<JsonNode> entries = new ArrayList<>(List.of(unknownEntry(layout)));
    for (Spec spec : PLATFORMS) {
      OciLayoutImage image = buildImage(workDir, layout, spec);
      images.put(spec.key(), image);
      entries.add(manifestEntry(image, spec));
    }
    writeIndex(layout, tag, entries);
    return new MultiPlatformImage(layout, tag, images);
  }

  static MultiPlatformImage subset(MultiPlatformImage source, String tag, List<String> platforms)
      throws IOException {
    Path layout = source.layout();
    JsonNode index = JSON.readTree(blob(layout, source.indexDigest()).toFile());
    Map<String, OciLayoutImage> images = new LinkedHashMap<>();
    List<JsonNode> entries = new ArrayList<>();
    for (JsonNode entry : index.path("manifests")) {
      String key = key(entry.path("platform"));
      if (platforms.contains(key)) {
        entries.add(entry);
        images.put(key, source.image(key));
      }
    }
    if (!images.keySet().containsAll(platforms)) {
      throw new IllegalArgumentException("no " + platforms + " in " + source.images().keySet());
    }
    writeIndex(layout, tag, entries);
    return new MultiPlatformImage(layout, tag, images);
  }

  /** Two layers: one license file, then {@code /etc/hoist-platform} naming the platform. */
  private static OciLayoutImage buildImage(Path workDir, Path layout, Spec spec)
      throws IOException {
    String tag = spec.key().replace('/', '-');
    String ref = layout + ":" + tag;
    Path bundle = workDir.resolve(tag + "-bundle");
    umoci(workDir, "new", "--image", ref);
    umoci(workDir, "unpack", "--rootless", "--image", ref, bundle.toString());
    Path licenses = Files.createDirectories(bundle.resolve("rootfs/usr/share/common-licenses"));
    Files.copy(
        Path.of("/usr/share/common-licenses", spec.license()), licenses.resolve(spec.license()));
    repack(workDir, ref, bundle, "license");
    Path etc = Files.createDirectories(bundle.resolve("rootfs/etc"));
    Files.writeString(etc.resolve("hoist-platform"), spec.key() + "\n");
    repack(workDir, ref, bundle, "platform");
    umoci(
        workDir,
        "config",
        "--no-history",
        "--image",
        ref,
        "--os",
        spec.os(),
        "--architecture",
        spec.architecture());
    if (!spec.variant().isEmpty()) {
      setVariant(layout, tag, spec.variant());
    }
    return new OciLayoutImage(layout, tag, 2);
  }

  /** Adds {@code variant} to the image's config, rewriting the manifest and {@code index.json}. */
  private static void setVariant(Path layout, String tag, String variant) throws IOException {
    Path indexJson = layout.resolve("index.json");
    ObjectNode top = (ObjectNode) JSON.readTree(indexJson.toFile());
    for (JsonNode node : top.path("manifests")) {
      if (tag.equals(node.path("annotations").path(REF_NAME).asText())) {
        ObjectNode entry = (ObjectNode) node;
        ObjectNode manifest =
            (ObjectNode) JSON.readTree(blob(layout, entry.path("digest").asText()).toFile());
        ObjectNode configRef = (ObjectNode) manifest.path("config");
        ObjectNode config =
            (ObjectNode) JSON.readTree(blob(layout, configRef.path("digest").asText()).toFile());
        config.put("variant", variant);
        putBlob(layout, configRef, JSON.writeValueAsBytes(config));
        putBlob(layout, entry, JSON.writeValueAsBytes(manifest));
        JSON.writeValue(indexJson.toFile(), top);
        return;
      }
    }
    throw new IOException("no manifest tagged " + tag + " in " + layout);
  }

  /**
   * An entry of a type no puller knows, without a platform, which pullers must skip. Its blob is
   * shaped as an OCI artifact manifest (empty config, no layers), because {@code skopeo copy --all}
   * copies every entry as an image manifest whatever its media type says.
   */
  private static JsonNode unknownEntry(Path layout) throws IOException {
    ObjectNode config = JSON.createObjectNode().put("mediaType", EMPTY_TYPE);
    putBlob(layout, config, "{}".getBytes(StandardCharsets.UTF_8));
    ObjectNode artifact =
        JSON.createObjectNode().put("schemaVersion", 2).put("artifactType", UNKNOWN_TYPE);
    artifact.set("config", config);
    artifact.putArray("layers");
    ObjectNode entry = JSON.createObjectNode().put("mediaType", UNKNOWN_TYPE);
    putBlob(layout, entry, JSON.writeValueAsBytes(artifact));
    entry.putObject("annotations").put("dev.hoist.test", "unknown media type");
    return entry;
  }

  private static void writeIndex(Path layout, String tag, List<JsonNode> entries)
      throws IOException {
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", INDEX_TYPE);
    index.putArray("manifests").addAll(entries);
    ObjectNode entry = JSON.createObjectNode().put("mediaType", INDEX_TYPE);
    putBlob(layout, entry, JSON.writeValueAsBytes(index));
    entry.putObject("annotations").put(REF_NAME, tag);

    Path indexJson = layout.resolve("index.json");
    ObjectNode top = (ObjectNode) JSON.readTree(indexJson.toFile());
    ArrayNode manifests = (ArrayNode) top.path("manifests");
    for (int i = manifests.size() - 1; i >= 0; i--) {
      if (tag.equals(manifests.get(i).path("annotations").path(REF_NAME).asText())) {
        manifests.remove(i);
      }
    }
    manifests.add(entry);
    JSON.writeValue(indexJson.toFile(), top);
  }

  /** The index's descriptor of {@code image}, with its platform. */
  private static ObjectNode manifestEntry(OciLayoutImage image, Spec spec) throws IOException {
    String digest = image.manifestDigest();
    ObjectNode entry =
        JSON.createObjectNode()
            .put("mediaType", MANIFEST_TYPE)
            .put("digest", digest)
            .put("size", Files.size(image.blob(digest)));
    ObjectNode platform = entry.putObject("platform");
    platform.put("architecture", spec.architecture()).put("os", spec.os());
    if (!spec.variant().isEmpty()) {
      platform.put("variant", spec.variant());
    }
    return entry;
  }

  /** Writes {@code bytes} as a blob and points {@code descriptor}'s digest and size at it. */
  private static void putBlob(Path layout, ObjectNode descriptor, byte[] bytes) throws IOException {
    String digest = FaultRegistry.sha256(bytes);
    Path path = blob(layout, digest);
    Files.createDirectories(path.getParent());
    if (!Files.exists(path)) {
      Files.write(path, bytes);
    }
    descriptor.put("digest", digest).put("size", bytes.length);
  }

  private static Path blob(Path layout, String digest) {
    return layout.resolve("blobs").resolve(digest.replace(':', '/'));
  }

  private static String key(JsonNode platform) {
    String variant = platform.path("variant").asText();
    return platform.path("os").asText()
        + "/"
        + platform.path("architecture").asText()
        + (variant.isEmpty() ? "" : "/" + variant);
  }

  private static void repack(Path workDir, String ref, Path bundle, String comment)
      throws IOException {
    umoci(
        workDir,
        "repack",
        "--refresh-bundle",
        "--history.comment",
        comment,
        "--image",
        ref,
        bundle.toString());
  }

  private static void umoci(Path workDir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("umoci"));
    cmd.addAll(List.of(args));
    Tools.run(cmd, workDir);
  }
}
