package dev.hoist.unpack;

import java.io.IOException;

/**
 * A layer entry that hoist refuses to apply: its path (or its hardlink target) would leave the root
 * filesystem, it loops through symbolic links, or it is malformed. The whole layer fails.
 */
public final class UnsafeLayerException extends IOException {
  private final String entry;

  UnsafeLayerException(String layer, String entry, String reason) {
    super("layer " + layer + " entry \"" + entry + "\": " + reason);
    this.entry = entry;
  }

  /** The entry's name as stored in the tar. */
  public String entry() {
    return entry;
  }
}
