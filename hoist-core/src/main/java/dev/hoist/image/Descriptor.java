package dev.hoist.image;

import dev.hoist.platform.Platform;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A reference to content: its media type, digest and size, as in the OCI descriptor. Immutable.
 *
 * @param urls where the content may also be fetched (foreign layers); empty when absent
 * @param annotations arbitrary metadata; empty when absent
 * @param platform the platform of a manifest inside an index; null elsewhere
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    Platform platform) {

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType == null");
    Objects.requireNonNull(digest, "digest == null");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0: " + size);
    }
    urls = urls == null ? List.of() : List.copyOf(urls);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /** A descriptor with no URLs, annotations or platform. */
  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, List.of(), Map.of(), null);
  }

  /** This descriptor with {@code annotations} in place of its own. */
  public Descriptor withAnnotations(Map<String, String> annotations) {
    return new Descriptor(mediaType, digest, size, urls, annotations, platform);
  }
}
