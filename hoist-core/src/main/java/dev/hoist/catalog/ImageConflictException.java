package dev.hoist.catalog;

import java.io.IOException;

/** A removal docker would refuse without {@code --force}; the message says why. */
public final class ImageConflictException extends IOException {
  private static final long serialVersionUID = 1L;

  public ImageConflictException(String message) {
    super(message);
  }
}
