package dev.hoist.pull;

import dev.hoist.platform.Platform;
import dev.hoist.reference.ImageReference;
import dev.hoist.unpack.UnpackOptions;
import java.nio.file.Path;
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
 * @param unpackTo where to unpack the image's root filesystem during the pull; null for none
 * @param unpackOptions how to unpack it
 */
public record PullRequest(
    ImageReference reference,
    Platform platform,
    boolean foreignLayers,
    boolean schema1,
    Path unpackTo,
    UnpackOptions unpackOptions) {
  public PullRequest {
    Objects.requireNonNull(reference, "reference == null");
    unpackOptions = unpackOptions == null ? UnpackOptions.defaults() : unpackOptions;
  }

  /** Pulls {@code reference} for this machine's platform. */
  public PullRequest(ImageReference reference) {
    this(reference, null, false, false, null, null);
  }

  /** Pulls {@code reference}, parsed with docker's normalisation, for this machine's platform. */
  public static PullRequest of(String reference) {
    return new PullRequest(ImageReference.parse(reference));
  }

  /** This request for another platform, such as {@code Platform.parse("linux/arm64")}. */
  public PullRequest withPlatform(Platform platform) {
    return new PullRequest(reference, platform, foreignLayers, schema1, unpackTo, unpackOptions);
  }

  /** This request, converting (or refusing) deprecated schema 1 images. */
  public PullRequest withSchema1(boolean allowed) {
    return new PullRequest(reference, platform, foreignLayers, allowed, unpackTo, unpackOptions);
  }

  /** This request, allowing (or not) foreign layers to be fetched from their URLs. */
  public PullRequest withForeignLayers(boolean allowed) {
    return new PullRequest(reference, platform, allowed, schema1, unpackTo, unpackOptions);
  }

  /**
   * This request, unpacking the image's root filesystem into {@code dir} (which must not exist or
   * be empty) while the layers arrive.
   */
  public PullRequest withUnpackTo(Path dir, UnpackOptions options) {
    return new PullRequest(reference, platform, foreignLayers, schema1, dir, options);
  }

  /** The directory to unpack into, if any. */
  public Optional<Path> unpackDirectory() {
    return Optional.ofNullable(unpackTo);
  }

  /** This request for another reference, with the same options. */
  public PullRequest withReference(ImageReference other) {
    return new PullRequest(other, platform, foreignLayers, schema1, unpackTo, unpackOptions);
  }

  /** The requested platform, if one was given. */
  public Optional<Platform> requestedPlatform() {
    return Optional.ofNullable(platform);
  }
}
