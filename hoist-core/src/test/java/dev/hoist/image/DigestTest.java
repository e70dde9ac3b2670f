package dev.hoist.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DigestTest {
  @Test
  void hashesKnownAnswer() {
    // FIPS 180-2 test vector for "abc".
    assertThat(Digest.sha256("abc"))
        .hasToString("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void parseAndPrintRoundTrip() {
    String text = "sha256:" + "a".repeat(64);

    assertThat(Digest.parse(text)).hasToString(text);
    assertThat(Digest.parse(text)).isEqualTo(Digest.parse(text));
    assertThat(Digest.parse(text).shortHex()).isEqualTo("aaaaaaaaaaaa");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "sha256", "sha256:", "sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e",
        "SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "sha256:../../../../etc/passwd0000000000000000000000000000000000000000"
      })
  void rejectsNonCanonicalOrUnknownDigests(String text) {
    assertThatThrownBy(() -> Digest.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
