package dev.hoist.pull;

import dev.hoist.image.Digest;

/**
 * A layer changed state or made progress.
 *
 * @param digest the layer's (compressed) digest
 * @param current bytes done so far in this state (downloaded or extracted); 0 when not counting
 * @param total the layer's size, or 0 when unknown
 */
public record LayerEvent(Digest digest, LayerStatus status, long current, long total) {

  /** Docker's layer id: the first 12 hex characters of the digest. */
  public String id() {
    return digest.shortHex();
  }
}
