package dev.hoist.transfer;

import dev.hoist.registry.MirrorFallback;

/**
 * Receives a download's progress; called on the downloading thread, so implementations must be
 * quick. Every method has a default that does nothing (or, for a fallback, logs it).
 */
public interface Progress {
  /** Ignores everything. */
  Progress NONE = new Progress() {};

  /** The download waits for a free slot. */
  default void waiting() {}

  /** {@code current} of {@code total} bytes are in the store's ingest file. */
  default void downloading(long current, long total) {}

  /** An attempt failed; the next starts in {@code seconds} seconds. */
  default void retrying(int seconds) {}

  /** Every byte arrived; the digest is being checked. */
  default void verifying() {}

  /**
   * A mirror failed to serve the blob; the next endpoint of the registry's route is asked. Logged
   * as a warning unless overridden: a fallback is never silent.
   */
  default void fallback(MirrorFallback event) {
    org.slf4j.LoggerFactory.getLogger(Progress.class).warn("{}", event.message());
  }
}
