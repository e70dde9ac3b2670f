package dev.hoist.unpack;

/**
 * How to unpack. Immutable.
 *
 * @param applyOwnership set files' owners from the layers (only root may); by default, whether
 *     this process runs as root
 * @param maxBytes the most file data the unpacked image may hold: a guard against decompression
 *     bombs (64 GiB by default)
 */
public record UnpackOptions(boolean applyOwnership, long maxBytes) {
  public static final long DEFAULT_MAX_BYTES = 64L << 30;

  public UnpackOptions {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes <= 0: " + maxBytes);
    }
  }

  /** Ownership applied when running as root, 64 GiB at most. */
  public static UnpackOptions defaults() {
    return new UnpackOptions(isRoot(), DEFAULT_MAX_BYTES);
  }

  /** These options with another size limit. */
  public UnpackOptions withMaxBytes(long max) {
    return new UnpackOptions(applyOwnership, max);
  }

  static boolean isRoot() {
    try {
      Object uid = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
      return Integer.valueOf(0).equals(uid);
    } catch (Exception e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
