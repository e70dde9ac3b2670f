package dev.hoist.platform;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The platform an image runs on, as in the OCI image index: {@code linux/arm64/v8}. Immutable.
 *
 * <p>{@link #parse} accepts containerd's specifier syntax ({@code os}, {@code arch},
 * {@code os/arch}, {@code os/arch/variant}) and {@link #normalize} folds the many spellings of an
 * architecture into the OCI ones ({@code x86_64} is {@code amd64}, {@code aarch64} is
 * {@code arm64}, {@code armhf} is {@code arm/v7}), as containerd's platforms package does.
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

  /** This machine, as docker names it by default: {@code linux/amd64}, {@code linux/arm64/v8}. */
  public static Platform host() {
    return Hosts.current();
  }

  /** {@code os/architecture[/variant]}. */
  public static Platform of(String os, String architecture, String variant) {
    return new Platform(os, architecture, variant, "", List.of());
  }

  /**
   * Parses a platform specifier such as {@code linux/arm64/v8}, {@code linux/amd64},
   * {@code arm64} (the host's OS) or {@code windows} (the host's architecture), and normalises it.
   *
   * @throws IllegalArgumentException for an empty or malformed specifier
   */
  public static Platform parse(String specifier) {
    String[] parts = specifier.split("/", -1);
    for (String part : parts) {
      if (!part.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException(
            "invalid platform \"" + specifier + "\": expected os[/arch[/variant]], such as linux/arm64/v8");
      }
    }
    Platform host = Hosts.current();
    Platform parsed =
        switch (parts.length) {
          case 1 -> isKnownOs(parts[0])
              ? of(parts[0], host.architecture(), host.os().equals(parts[0]) ? host.variant() : "")
              : of(host.os(), parts[0], "");
          case 2 -> of(parts[0], parts[1], "");
          case 3 -> of(parts[0], parts[1], parts[2]);
          default -> throw new IllegalArgumentException(
              "invalid platform \"" + specifier + "\": expected os[/arch[/variant]], such as linux/arm64/v8");
        };
    return parsed.normalize();
  }

  private static boolean isKnownOs(String os) {
    return switch (os.toLowerCase(Locale.ROOT)) {
      case "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos",
          "aix", "android", "ios", "js", "wasip1", "dragonfly", "plan9", "zos" -> true;
      default -> false;
    };
  }

  /** This platform with OS and architecture in their OCI spelling and the default variant folded. */
  public Platform normalize() {
    String o = os.toLowerCase(Locale.ROOT);
    if (o.equals("macos")) {
      o = "darwin";
    }
    String a = architecture.toLowerCase(Locale.ROOT);
    String v = variant.toLowerCase(Locale.ROOT);
    switch (a) {
      case "i386", "i686", "x86" -> {
        a = "386";
        v = "";
      }
      case "x86_64", "x86-64", "amd64" -> {
        a = "amd64";
        if (v.equals("v1")) {
          v = "";
        }
      }
      case "aarch64", "arm64" -> {
        a = "arm64";
        v = switch (v) {
          case "8", "v8", "v8.0" -> "";
          case "9", "9.0", "v9.0" -> "v9";
          default -> v;
        };
      }
      case "armhf" -> {
        a = "arm";
        v = "v7";
      }
      case "armel" -> {
        a = "arm";
        v = "v6";
      }
      case "arm" -> v = switch (v) {
        case "", "7" -> "v7";
        case "5", "6", "8" -> "v" + v;
        default -> v;
      };
      default -> {}
    }
    return new Platform(o, a, v, osVersion, osFeatures);
  }

  /** {@code os/architecture[/variant]}, as docker prints a platform. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
