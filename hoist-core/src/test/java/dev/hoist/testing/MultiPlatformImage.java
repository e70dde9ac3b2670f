package dev.hoist.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OCI image index tagged in an OCI image layout, as built by {@link
 * TestImages#multiPlatform(Path)}: one real image per platform, plus any entries of media types
 * that are not manifests.
 *
 * @param layout the layout directory; it also tags each platform's image on its own
 * @param tag the {@code org.opencontainers.image.ref.name} of the index in {@code index.json}
 * @param images each platform's image by {@code os/architecture[/variant]}, e.g. {@code
 *     linux/arm/v7}, in the index's order
 */
public record MultiPlatformImage(Path layout, String tag, Map<String, OciLayoutImage> images) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public MultiPlatformImage {
    images = Collections.unmodifiableMap(new LinkedHashMap<>(images));
  }

  /** The digest of the index that {@code index.json} names {@link #tag}. */
  public String indexDigest() throws IOException {
    return new OciLayoutImage(layout, tag, 0).manifestDigest();
  }

  /** The image for {@code platform}, such as {@code linux/amd64}. */
  public OciLayoutImage image(String platform) {
    OciLayoutImage image = images.get(platform);
    if (image == null) {
      throw new IllegalArgumentException("no " + platform + " image; have " + images.keySet());
    }
    return image;
  }

  /** The media types of the index's entries, in order. */
  public List<String> entryMediaTypes() throws IOException {
    JsonNode index = JSON.readTree(new OciLayoutImage(layout, tag, 0).blob(indexDigest()).toFile());
    List<String> types = new ArrayList<>();
    for (JsonNode entry : index.path("manifests")) {
      types.add(entry.path("mediaType").asText());
    }
    return types;
  }

  /**
   * A second index in the same layout, tagged {@code newTag}, listing only {@code platforms} of
   * this one (entries of other media types are dropped too).
   */
  public MultiPlatformImage withOnly(String newTag, String... platforms) throws IOException {
    return MultiPlatformLayout.subset(this, newTag, List.of(platforms));
  }
}
