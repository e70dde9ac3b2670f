package dev.hoist.image;

import java.io.IOException;

/** Manifest or config bytes that are not what their media type promises. */
public final class InvalidManifestException extends IOException {
  public InvalidManifestException(String message) {
    super(message);
  }

  public InvalidManifestException(String message, Throwable cause) {
    super(message, cause);
  }
}
