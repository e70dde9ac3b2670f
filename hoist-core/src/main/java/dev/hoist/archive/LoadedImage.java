package dev.hoist.archive;

import dev.hoist.image.Digest;
import dev.hoist.reference.ImageReference;
import java.util.Objects;
import java.util.Optional;

/**
 * One image a load put in the store, under one name (an image with two tags is two results). Immutable.
 *
 * @param reference the name it is tagged with; empty for an image the archive gives no name
 * @param imageId the image ID: the digest of its config, as docker computes it
 */
public record LoadedImage(Optional<ImageReference> reference, Digest imageId) {
  public LoadedImage {
    Objects.requireNonNull(reference, "reference == null");
    Objects.requireNonNull(imageId, "imageId == null");
  }

  /** Docker's line: {@code Loaded image: busybox:latest}, or {@code Loaded image ID: sha256:…}. */
  public String statusLine() {
    return reference
        .map(r -> "Loaded image: " + r.familiarString())
        .orElseGet(() -> "Loaded image ID: " + imageId);
  }
}
