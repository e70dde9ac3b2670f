package dev.hoist.pull;

import dev.hoist.reference.ImageReference;
import java.util.Objects;

/**
 * What to pull. Immutable.
 *
 * @param reference the image; without tag or digest, {@code latest} is pulled
 */
public record PullRequest(ImageReference reference) {
  public PullRequest {
    Objects.requireNonNull(reference, "reference == null");
  }

  /** Pulls {@code reference}, parsed with docker's normalisation. */
  public static PullRequest of(String reference) {
    return new PullRequest(ImageReference.parse(reference));
  }
}
