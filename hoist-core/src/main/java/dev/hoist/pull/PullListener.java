package dev.hoist.pull;

import dev.hoist.reference.ImageReference;

/**
 * Receives a pull's progress. All methods have empty defaults; override what you show.
 *
 * <p>Calls come from download threads, several at once: implementations must be thread-safe,
 * fast, and must not block (store what you need and render on your own thread). A listener that
 * throws does not break the pull: the exception is logged and dropped.
 */
public interface PullListener {
  /** A listener that ignores everything. */
  PullListener NONE = new PullListener() {};

  /**
   * The manifest is resolved and layers are about to be fetched; docker prints
   * {@code latest: Pulling from library/busybox}.
   *
   * @param tagOrDigest the tag, or the digest when pulling by digest
   */
  default void pullStarted(ImageReference reference, String tagOrDigest) {}

  /** A layer changed state, or downloaded more bytes. */
  default void layer(LayerEvent event) {}

  /** A warning for the user, such as a registry that needs a deprecated fallback. */
  default void warning(String message) {}

  /** The pull finished; the image is in the store and tagged. */
  default void pullFinished(PullResult result) {}
}
