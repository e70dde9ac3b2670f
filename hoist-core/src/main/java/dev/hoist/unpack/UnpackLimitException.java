package dev.hoist.unpack;

import java.io.IOException;

/**
 * The layers hold more regular file data than the unpack allows: the guard against decompression
 * bombs. Raise the limit only for images you trust.
 */
public final class UnpackLimitException extends IOException {
  private final long limit;

  UnpackLimitException(String layer, long limit) {
    super(
        "layer "
            + layer
            + " expands beyond the "
            + limit
            + " byte limit on unpacked file data (a decompression bomb?)");
    this.limit = limit;
  }

  /** The number of bytes of file data that was allowed across all layers. */
  public long limit() {
    return limit;
  }
}
