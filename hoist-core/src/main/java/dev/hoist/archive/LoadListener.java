package dev.hoist.archive;

import dev.hoist.image.Digest;

/**
 * Hears about a load as it goes. Called on the loading thread; keep it fast, and do not throw.
 */
public interface LoadListener {
  /** Hears nothing. */
  LoadListener NONE = (diffId, bytes) -> {};

  /**
   * A layer was copied from the archive into the store and verified (layers the store already held
   * are not reported, as docker reports only the layers it loads).
   *
   * @param diffId the layer's DiffID, which docker shows (shortened) as the layer's ID
   * @param bytes the size of the layer as stored in the archive
   */
  void layerLoaded(Digest diffId, long bytes);
}
