package dev.hoist.hosts;

/**
 * Which pulls a mirror serves, as {@code pull-from-mirror} in {@code registries.conf}: pulls by
 * digest can't be fooled by a mirror whose tags lag behind, pulls by tag may want the freshest one.
 */
public enum PullFromMirror {
  /** Every pull (the default). */
  ALL("all"),
  /** Only pulls of a reference with a digest ({@code mirror-by-digest-only = true} too). */
  DIGEST_ONLY("digest-only"),
  /** Only pulls of a reference without a digest. */
  TAG_ONLY("tag-only");

  private final String configName;

  PullFromMirror(String configName) {
    this.configName = configName;
  }

  /** The value as written in {@code registries.conf}. */
  public String configName() {
    return configName;
  }

  /** Whether a pull of a reference with ({@code byDigest}) or without a digest may use the mirror. */
  public boolean serves(boolean byDigest) {
    return switch (this) {
      case ALL -> true;
      case DIGEST_ONLY -> byDigest;
      case TAG_ONLY -> !byDigest;
    };
  }

  static PullFromMirror parse(String value) {
    for (PullFromMirror mode : values()) {
      if (mode.configName.equals(value)) {
        return mode;
      }
    }
    return null;
  }
}
