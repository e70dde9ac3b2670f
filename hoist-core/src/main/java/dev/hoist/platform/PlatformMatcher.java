package dev.hoist.platform;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides which platforms can run where a target platform runs, best first, with containerd's
 * rules ({@code platforms.Only}): an {@code amd64/v3} machine runs {@code amd64/v3}, then
 * {@code v2}, {@code v1}, then {@code 386}; {@code arm/v7} runs {@code v7}, {@code v6}, {@code v5};
 * {@code arm64} (which is {@code arm64/v8}) runs {@code arm64}, then {@code arm/v8} down to
 * {@code arm/v5}. Platforms are compared after {@linkplain Platform#normalize normalisation}.
 * Immutable.
 */
public final class PlatformMatcher {
  private final Platform target;
  private final List<Platform> compatible;

  private PlatformMatcher(Platform target, List<Platform> compatible) {
    this.target = target;
    this.compatible = List.copyOf(compatible);
  }

  /** What this machine runs, with its amd64 level read from the CPU. */
  public static PlatformMatcher forHost() {
    Platform host = Hosts.current();
    if (host.architecture().equals("amd64")) {
      return new PlatformMatcher(host, vector(Platform.of(host.os(), "amd64", Hosts.amd64Level())));
    }
    return only(host);
  }

  /** What a machine of platform {@code target} runs. */
  public static PlatformMatcher only(Platform target) {
    return new PlatformMatcher(target, vector(target.normalize()));
  }

  /** The platform asked for, as the user wrote it (for messages). */
  public Platform target() {
    return target;
  }

  /** Whether an image of {@code platform} runs on the target. */
  public boolean matches(Platform platform) {
    return rank(platform) >= 0;
  }

  /** How good a match {@code platform} is: 0 is best; -1 means it does not run on the target. */
  public int rank(Platform platform) {
    Platform p = platform.normalize();
    for (int i = 0; i < compatible.size(); i++) {
      Platform c = compatible.get(i);
      if (c.os().equals(p.os()) && c.architecture().equals(p.architecture()) && c.variant().equals(p.variant())) {
        return i;
      }
    }
    return -1;
  }

  private static List<Platform> vector(Platform p) {
    List<Platform> v = new ArrayList<>();
    v.add(p);
    switch (p.architecture()) {
      case "amd64" -> {
        int level = level(p.variant(), 1);
        for (int l = level - 1; l >= 1; l--) {
          v.add(Platform.of(p.os(), "amd64", "v" + l).normalize());
        }
        v.add(Platform.of(p.os(), "386", ""));
      }
      case "arm" -> {
        int version = level(p.variant(), 7);
        for (int n = version - 1; n >= 5; n--) {
          v.add(Platform.of(p.os(), "arm", "v" + n));
        }
      }
      case "arm64" -> {
        if (p.variant().startsWith("v9")) {
          v.add(Platform.of(p.os(), "arm64", ""));
        }
        for (int n = 8; n >= 5; n--) {
          v.add(Platform.of(p.os(), "arm", "v" + n));
        }
      }
      default -> {}
    }
    return v;
  }

  private static int level(String variant, int fallback) {
    if (variant.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(variant.substring(1).split("\\.")[0]);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  @Override
  public String toString() {
    return target.toString();
  }
}
