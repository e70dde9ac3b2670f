package dev.hoist.pull;

import dev.hoist.image.Digest;
import dev.hoist.reference.ImageReference;

/**
 * What a pull did.
 *
 * @param reference the reference pulled, with the default tag applied
 * @param digest the digest of the manifest (or index) the reference resolved to
 * @param imageId the image ID: the digest of the image config, as docker computes it
 * @param tagChanged true when the reference now points to a different image than before the pull
 *     (docker's "Downloaded newer image"); false for "Image is up to date"
 * @param bytesDownloaded bytes fetched from the registry in this pull
 * @param bytesReused bytes of layers that were already in the store
 */
public record PullResult(
    ImageReference reference,
    Digest digest,
    Digest imageId,
    boolean tagChanged,
    long bytesDownloaded,
    long bytesReused) {

  /** Docker's last status line: {@code Status: Downloaded newer image for busybox:latest}. */
  public String statusLine() {
    return (tagChanged ? "Status: Downloaded newer image for " : "Status: Image is up to date for ")
        + reference.familiarString();
  }
}
