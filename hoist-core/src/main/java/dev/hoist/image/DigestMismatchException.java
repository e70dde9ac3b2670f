package dev.hoist.image;

import java.io.IOException;

/** Content whose bytes do not hash to, or are not as long as, the digest and size it was asked for. */
public final class DigestMismatchException extends IOException {
  private final Digest expected;

  public DigestMismatchException(String message, Digest expected) {
    super(message);
    this.expected = expected;
  }

  /** The digest the content should have had. */
  public Digest expected() {
    return expected;
  }
}
