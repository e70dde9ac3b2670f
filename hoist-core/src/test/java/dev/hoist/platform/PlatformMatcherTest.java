package dev.hoist.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformMatcherTest {
  /** Target, then what it runs in order of preference, then what it must not run. */
  @ParameterizedTest(name = "{0} runs {1} and not {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "linux/amd64/v3 | linux/amd64/v3 linux/amd64/v2 linux/amd64 linux/386 | linux/amd64/v4 linux/arm64 windows/amd64",
        "linux/amd64    | linux/amd64 linux/amd64/v1 linux/386                 | linux/amd64/v2 linux/arm64",
        "linux/arm64    | linux/arm64 linux/arm64/v8 linux/arm/v8 linux/arm/v7 linux/arm/v6 linux/arm/v5 | linux/amd64 linux/arm64/v9",
        "linux/arm64/v8 | linux/arm64 linux/arm/v7                              | linux/arm64/v9",
        "linux/arm64/v9 | linux/arm64/v9 linux/arm64 linux/arm/v7               | linux/amd64",
        "linux/arm/v7   | linux/arm/v7 linux/arm linux/arm/v6 linux/arm/v5      | linux/arm/v8 linux/arm64",
        "linux/arm/v6   | linux/arm/v6 linux/arm/v5                             | linux/arm/v7 linux/arm",
        "linux/arm/v5   | linux/arm/v5                                          | linux/arm/v6",
        "linux/s390x    | linux/s390x                                           | linux/amd64",
        "windows/amd64  | windows/amd64                                         | linux/amd64",
      })
  void matchesWhatContainerdMatches(String target, String runs, String refuses) {
    PlatformMatcher matcher = PlatformMatcher.only(Platform.parse(target));

    List<Platform> good = parseAll(runs);
    for (Platform p : good) {
      assertThat(matcher.matches(p)).as("%s runs %s", target, p).isTrue();
    }
    for (Platform p : parseAll(refuses)) {
      assertThat(matcher.matches(p)).as("%s does not run %s", target, p).isFalse();
    }
    for (int i = 1; i < good.size(); i++) {
      assertThat(matcher.rank(good.get(i)))
          .as("%s prefers %s over %s", target, good.get(i - 1), good.get(i))
          .isGreaterThanOrEqualTo(matcher.rank(good.get(i - 1)));
    }
  }

  @Test
  void theHostMatchesItself() {
    assertThat(PlatformMatcher.forHost().matches(Platform.host())).isTrue();
  }

  @Test
  void readsTheAmd64LevelFromCpuFlags() {
    assertThat(Hosts.amd64Level(List.of("flags : fpu sse2"))).isEqualTo("v1");
    assertThat(Hosts.amd64Level(List.of("flags : cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3"))).isEqualTo("v2");
    assertThat(Hosts.amd64Level(List.of(
            "flags : cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3 avx avx2 bmi1 bmi2 f16c fma abm movbe xsave")))
        .isEqualTo("v3");
    assertThat(Hosts.amd64Level(List.of(
            "flags : cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3 avx avx2 bmi1 bmi2 f16c fma abm movbe xsave"
                + " avx512f avx512bw avx512cd avx512dq avx512vl")))
        .isEqualTo("v4");
  }

  @Test
  void readsTheArmVariantFromCpuinfo() {
    assertThat(Hosts.armVariant(List.of("processor : 0", "CPU architecture: 7"))).isEqualTo("v7");
    assertThat(Hosts.armVariant(List.of("CPU architecture: 6"))).isEqualTo("v6");
    assertThat(Hosts.armVariant(List.of("CPU architecture: 8"))).isEqualTo("v8");
    assertThat(Hosts.armVariant(List.of())).isEqualTo("v7");
  }

  private static List<Platform> parseAll(String list) {
    return Arrays.stream(list.trim().split("\\s+")).map(Platform::parse).toList();
  }
}
