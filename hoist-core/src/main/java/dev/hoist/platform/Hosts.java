package dev.hoist.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * This machine's platform: OS and architecture from the JVM, the CPU variant from
 * {@code /proc/cpuinfo} as containerd and docker read it (the ARM architecture version; the x86-64
 * micro-architecture level v1 to v4 from the CPU flags, as go-archvariant does).
 */
final class Hosts {
  private static final Platform CURRENT = detect(Path.of("/proc/cpuinfo"));

  private Hosts() {}

  /** This machine, as docker's default platform: {@code linux/amd64}, {@code linux/arm64/v8}. */
  static Platform current() {
    return CURRENT;
  }

  static Platform detect(Path cpuinfo) {
    String os = osName(System.getProperty("os.name", ""));
    String arch = Platform.of(os, System.getProperty("os.arch", ""), "").normalize().architecture();
    List<String> lines = readLines(cpuinfo);
    String variant = switch (arch) {
      case "arm64" -> "v8";
      case "arm" -> armVariant(lines);
      default -> "";
    };
    return Platform.of(os, arch, variant);
  }

  private static final String AMD64_LEVEL = amd64Level(readLines(Path.of("/proc/cpuinfo")));

  /** The x86-64 micro-architecture level of this CPU ({@code v1} to {@code v4}), read once. */
  static String amd64Level() {
    return AMD64_LEVEL;
  }

  static String amd64Level(List<String> cpuinfo) {
    Set<String> flags = Set.of();
    for (String line : cpuinfo) {
      if (line.startsWith("flags")) {
        flags = Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
        break;
      }
    }
    if (!flags.containsAll(Set.of("cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"))) {
      return "v1";
    }
    if (!flags.containsAll(Set.of("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"))) {
      return "v2";
    }
    if (!flags.containsAll(Set.of("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"))) {
      return "v3";
    }
    return "v4";
  }

  static String armVariant(List<String> cpuinfo) {
    for (String line : cpuinfo) {
      if (line.startsWith("CPU architecture")) {
        String value = line.substring(line.indexOf(':') + 1).trim();
        return switch (value) {
          case "8", "AArch64" -> "v8";
          case "7" -> "v7";
          case "6" -> "v6";
          case "5", "5TE", "5TEJ" -> "v5";
          default -> "v7";
        };
      }
    }
    return "v7";
  }

  private static String osName(String javaName) {
    String n = javaName.toLowerCase(Locale.ROOT);
    if (n.startsWith("windows")) {
      return "windows";
    }
    if (n.startsWith("mac")) {
      return "darwin";
    }
    return n.replace(" ", "");
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException | RuntimeException e) {
      return List.of(); // not Linux, or no /proc: no variant to learn
    }
  }
}
