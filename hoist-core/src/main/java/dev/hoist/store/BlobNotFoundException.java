package dev.hoist.store;

import dev.hoist.image.Digest;
import java.io.IOException;
import java.nio.file.Path;

/** A blob the store was asked for but does not hold. */
public final class BlobNotFoundException extends IOException {
  private final Digest digest;

  public BlobNotFoundException(Digest digest, Path store) {
    super("blob " + digest + " not found in store " + store);
    this.digest = digest;
  }

  /** The missing blob. */
  public Digest digest() {
    return digest;
  }
}
