package dev.hoist.pull;

import dev.hoist.image.Digest;

/**
 * A layer changed state or made progress.
 *
 * @param digest the layer's (compressed) digest
 * @param current bytes done so far in this state (downloaded or extracted); 0 when not counting
 * @param total the layer's size, or 0 when unknown
 * @param retryInSeconds for {@link LayerStatus#RETRYING}, the seconds until the next attempt
 *     (docker's "Retrying in 5 seconds"); 0 otherwise
 */
public record LayerEvent(
    Digest digest, LayerStatus status, long current, long total, int retryInSeconds) {

  /** An event with no retry countdown. */
  public LayerEvent(Digest digest, LayerStatus status, long current, long total) {
    this(digest, status, current, total, 0);
  }

  /** Docker's layer id: the first 12 hex characters of the digest. */
  public String id() {
    return digest.shortHex();
  }
}
