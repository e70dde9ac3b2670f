package dev.hoist.pull;

import dev.hoist.platform.Platform;
import dev.hoist.reference.ImageReference;
import java.util.Objects;
import java.util.Optional;

/**
 * What to pull. Immutable.
 *
 * @param reference the image; without tag or digest, {@code latest} is pulled
 * @param platform the platform to choose from a multi-platform image; null for this machine's
 * @param foreignLayers whether a foreign (non-distributable) layer the registry does not hold may
 *     be fetched from the URLs its descriptor lists; off by default, as such URLs point outside
 *     the registry the user chose
 * @param schema1 whether a deprecated Docker schema 1 image is converted (as docker does with
 *     {@code DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE}) rather than refused
 */
public record PullRequest(
    ImageReference reference, Platform platform, boolean foreignLayers, boolean schema1) {
  public PullRequest {
    Objects.requireNonNull(reference, "reference == null");
  }

  /** Pulls {@code reference} for this machine's platform. */
  public PullRequest(ImageReference reference) {
    this(reference, null, false, false);
  }

  /** Pulls {@code reference}, parsed with docker's normalisation, for this machine's platform. */
  public static PullRequest of(String reference) {
    return new PullRequest(ImageReference.parse(reference));
  }

  /** This request for another platform, such as {@code Platform.parse("linux/arm64")}. */
  public PullRequest withPlatform(Platform platform) {
    return new PullRequest(reference, platform, foreignLayers, schema1);
  }

  /** This request, converting (or refusing) deprecated schema 1 images. */
  public PullRequest withSchema1(boolean allowed) {
    return new PullRequest(reference, platform, foreignLayers, allowed);
  }

  /** This request, allowing (or not) foreign layers to be fetched from their URLs. */
  public PullRequest withForeignLayers(boolean allowed) {
    return new PullRequest(reference, platform, allowed, schema1);
  }

  /** This request for another reference, with the same options. */
  public PullRequest withReference(ImageReference other) {
    return new PullRequest(other, platform, foreignLayers, schema1);
  }

  /** The requested platform, if one was given. */
  public Optional<Platform> requestedPlatform() {
    return Optional.ofNullable(platform);
  }
}
