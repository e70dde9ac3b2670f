package dev.hoist.internal.tar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntryNamesTest {
  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
    "usr/bin/env, usr/bin/env",
    "usr/bin/, usr/bin",
    "./usr/bin/env, usr/bin/env",
    "./, ''",
    "., ''",
    "'', ''",
    "/, ''",
    "/etc/passwd, etc/passwd",
    "a//b, a/b",
    "a/./b, a/b",
    "a/../b, b",
    "./a//b/../c/, a/c",
    "a/b/.., a",
    "a/.., ''",
    "../a, NULL",
    "a/../../b, NULL",
    "/../etc, NULL",
    "..a/b.., ..a/b..",
    ".a/...b/..., .a/...b/...",
  })
  void cleanDropsDotsAndEmptyPartsAndRefusesClimbingAboveTheRoot(String name, String clean) {
    assertThat(EntryNames.clean(name)).isEqualTo(Optional.ofNullable(clean));
  }

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
    "usr/bin/env, usr/bin/env",
    "./a/../b, b",
    "./, ''",
    "/etc/passwd, NULL",
    "/, NULL",
    "a/../../b, NULL",
  })
  void insideRefusesAbsoluteNamesAndNamesThatClimbOut(String name, String clean) {
    assertThat(EntryNames.inside(name)).isEqualTo(Optional.ofNullable(clean));
  }

  @Test
  void insideRefusesANameWithANulByte() {
    assertThat(EntryNames.inside("etc/passwd\0.txt")).isEmpty();
  }
}
