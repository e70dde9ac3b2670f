package dev.hoist.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "linux/amd64, linux/amd64",
    "linux/x86_64, linux/amd64",
    "linux/x86-64, linux/amd64",
    "linux/amd64/v1, linux/amd64",
    "linux/amd64/v3, linux/amd64/v3",
    "linux/aarch64, linux/arm64",
    "linux/arm64/v8, linux/arm64",
    "linux/arm64/8, linux/arm64",
    "linux/arm64/v9.0, linux/arm64/v9",
    "linux/armhf, linux/arm/v7",
    "linux/armel, linux/arm/v6",
    "linux/arm, linux/arm/v7",
    "linux/arm/7, linux/arm/v7",
    "linux/arm/6, linux/arm/v6",
    "linux/i386, linux/386",
    "Linux/AMD64, linux/amd64",
    "windows/amd64, windows/amd64",
    "macos/arm64, darwin/arm64",
  })
  void normalisesAsContainerdDoes(String specifier, String normalised) {
    assertThat(Platform.parse(specifier)).hasToString(normalised);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/", "linux/", "linux//v7", "linux/arm/v7/extra", "linux/a m d"})
  void refusesMalformedSpecifiers(String specifier) {
    assertThatThrownBy(() -> Platform.parse(specifier))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid platform");
  }

  @ParameterizedTest
  @CsvSource({"linux, linux", "windows, windows", "arm64, arm64"})
  void aSingleWordIsAnOsOrAnArchitectureOfThisMachine(String word, String expectedPart) {
    Platform p = Platform.parse(word);

    assertThat(p.os().equals(expectedPart) || p.architecture().equals(expectedPart)).isTrue();
  }
}
