package dev.hoist.image;

import java.util.List;
import java.util.Objects;

/**
 * The platform an image runs on, as in the OCI image index: {@code linux/arm64/v8}. Immutable.
 *
 * @param variant the CPU variant ({@code v7}, {@code v8}); empty when none
 * @param osVersion the OS version (Windows builds); empty when none
 * @param osFeatures required OS features; empty when none
 */
public record Platform(
    String os, String architecture, String variant, String osVersion, List<String> osFeatures) {

  public Platform {
    Objects.requireNonNull(os, "os == null");
    Objects.requireNonNull(architecture, "architecture == null");
    variant = variant == null ? "" : variant;
    osVersion = osVersion == null ? "" : osVersion;
    osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
  }

  /** {@code os/architecture[/variant]}. */
  public static Platform of(String os, String architecture, String variant) {
    return new Platform(os, architecture, variant, "", List.of());
  }

  /** {@code os/architecture[/variant]}, as docker prints a platform. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
