package dev.hoist.archive;

import java.io.IOException;

/**
 * An archive hoist will not load: not a tar, truncated, without {@code manifest.json} or
 * {@code index.json}, naming paths outside the archive ({@code ../}, absolute) or entries it does
 * not contain, or describing its images inconsistently. The message names the entry at fault.
 * Blobs whose bytes do not match their digest or DiffID fail with
 * {@link dev.hoist.image.DigestMismatchException} instead.
 */
public final class InvalidArchiveException extends IOException {
  public InvalidArchiveException(String message) {
    super(message);
  }

  public InvalidArchiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
