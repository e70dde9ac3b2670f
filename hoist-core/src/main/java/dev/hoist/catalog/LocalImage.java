package dev.hoist.catalog;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.platform.Platform;
import dev.hoist.reference.ImageReference;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An image in the store: one image manifest and every name that points at it. Immutable.
 *
 * @param id the image ID, docker's: the digest of the image configuration
 * @param manifest the OCI image manifest the store's index names
 * @param tags references by tag ({@code docker.io/library/busybox:latest}), in index order
 * @param digests references by registry digest ({@code docker.io/library/busybox@sha256:…})
 * @param otherNames names other tools wrote into the index that are not references
 * @param created when the image was built, from its configuration, if it says
 * @param size bytes the image's blobs take in the store (manifest, config and compressed layers)
 * @param platform the platform its configuration declares
 */
public record LocalImage(
    Digest id,
    Descriptor manifest,
    List<ImageReference> tags,
    List<ImageReference> digests,
    List<String> otherNames,
    Optional<Instant> created,
    long size,
    Platform platform) {

  public LocalImage {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(manifest, "manifest == null");
    tags = List.copyOf(tags);
    digests = List.copyOf(digests);
    otherNames = List.copyOf(otherNames);
    Objects.requireNonNull(created, "created == null");
    Objects.requireNonNull(platform, "platform == null");
  }

  /** docker's short image ID: the first 12 hex digits of {@link #id()}. */
  public String shortId() {
    return id.hex().substring(0, 12);
  }

  /** Dangling, as docker says: no tag names it (digest references alone do not keep it). */
  public boolean isDangling() {
    return tags.isEmpty() && otherNames.isEmpty();
  }
}
