package dev.hoist.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One tagged image in an OCI image layout on disk, as built by {@link TestImages}.
 *
 * @param layout the layout directory (holding {@code oci-layout}, {@code index.json}, blobs)
 * @param tag the {@code org.opencontainers.image.ref.name} of the image in {@code index.json}
 * @param layerCount how many layers the image manifest lists
 */
public record OciLayoutImage(Path layout, String tag, int layerCount) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The digest of the image manifest that {@code index.json} names {@link #tag}. */
  public String manifestDigest() throws IOException {
    for (JsonNode m : JSON.readTree(layout.resolve("index.json").toFile()).path("manifests")) {
      if (tag.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
        return m.path("digest").asText();
      }
    }
    throw new IOException("no manifest tagged " + tag + " in " + layout);
  }

  /** The layer digests of the image manifest, bottom layer first. */
  public List<String> layerDigests() throws IOException {
    List<String> digests = new ArrayList<>();
    for (JsonNode layer : manifest().path("layers")) {
      digests.add(layer.path("digest").asText());
    }
    return digests;
  }

  /** The DiffIDs the image config lists ({@code rootfs.diff_ids}), bottom layer first. */
  public List<String> layerDiffIds() throws IOException {
    List<String> diffIds = new ArrayList<>();
    for (JsonNode id : JSON.readTree(blob(configDigest()).toFile()).path("rootfs").path("diff_ids")) {
      diffIds.add(id.asText());
    }
    return diffIds;
  }

  /** The digest of the image config blob. */
  public String configDigest() throws IOException {
    return manifest().path("config").path("digest").asText();
  }

  /** Where the blob with {@code digest} ({@code sha256:…}) lives in the layout. */
  public Path blob(String digest) {
    return layout.resolve("blobs").resolve(digest.replace(':', '/'));
  }

  private JsonNode manifest() throws IOException {
    return JSON.readTree(blob(manifestDigest()).toFile());
  }
}
