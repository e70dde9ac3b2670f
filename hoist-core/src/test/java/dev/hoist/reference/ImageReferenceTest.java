package dev.hoist.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.hoist.image.Digest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Known answers from distribution/reference ({@code ParseNormalizedNamed}) and docker pull. */
class ImageReferenceTest {
  private static final String HEX =
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  private static final String SHA256 = "sha256:" + HEX;
  private static final String SHA512 =
      "sha512:"
          + "abababababababababababababababababababababababababababababababab"
          + "abababababababababababababababababababababababababababababababab";
  private static final String TAG_128 = "t".repeat(128);

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ubuntu                                    | docker.io                   | library/ubuntu
          docker.io/library/ubuntu                  | docker.io                   | library/ubuntu
          index.docker.io/library/ubuntu            | docker.io                   | library/ubuntu
          index.docker.io/ubuntu                    | docker.io                   | library/ubuntu
          docker.io/ubuntu                          | docker.io                   | library/ubuntu
          library/ubuntu:20.04                      | docker.io                   | library/ubuntu
          user/app                                  | docker.io                   | user/app
          user/team/app                             | docker.io                   | user/team/app
          myregistry.example.com:5000/team/app:v1.2 | myregistry.example.com:5000 | team/app
          host.example.com/a/b/c:tag                | host.example.com            | a/b/c
          ghcr.io/a/b/c/d/e/f                       | ghcr.io                     | a/b/c/d/e/f
          localhost/x                               | localhost                   | x
          localhost:5000/x                          | localhost:5000              | x
          127.0.0.1:5000/x                          | 127.0.0.1:5000              | x
          registry:5000/x                           | registry:5000               | x
          [::1]/x                                   | [::1]                       | x
          [::1]:5000/x                              | [::1]:5000                  | x
          [2001:db8::1]/x:tag                       | [2001:db8::1]               | x
          a-b.example.com/x                         | a-b.example.com             | x
          Example.COM/x                             | Example.COM                 | x
          UPPER/x                                   | UPPER                       | x
          a__b                                      | docker.io                   | library/a__b
          a---b                                     | docker.io                   | library/a---b
          a.b_c-d                                   | docker.io                   | library/a.b_c-d
          x/a.b_c-d                                 | docker.io                   | x/a.b_c-d
          0                                         | docker.io                   | library/0
          """)
  void splitsDomainAndPathAsDockerDoes(String input, String domain, String path) {
    ImageReference ref = ImageReference.parse(input);

    assertThat(ref.domain()).isEqualTo(domain);
    assertThat(ref.path()).isEqualTo(path);
    assertThat(ref.repository()).isEqualTo(domain + "/" + path);
  }

  /** Docker's own FIXME: a lone "localhost" or "example.com" should be a domain, but is not. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          localhost      | library/localhost   |
          example.com    | library/example.com |
          localhost:5000 | library/localhost   | 5000
          """)
  void singleElementIsAlwaysADockerHubNameEvenIfItLooksLikeAHost(
      String input, String path, String tag) {
    ImageReference ref = ImageReference.parse(input);

    assertThat(ref.domain()).isEqualTo("docker.io");
    assertThat(ref.path()).isEqualTo(path);
    assertThat(ref.tag()).isEqualTo(Optional.ofNullable(tag));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          docker.io/library/busybox  | busybox
          docker.io/user/app         | user/app
          docker.io/library/a/b      | library/a/b
          library/busybox            | busybox
          localhost:5000/x           | localhost:5000/x
          quay.io/library/busybox    | quay.io/library/busybox
          [::1]:5000/x:tag           | [::1]:5000/x
          """)
  void familiarNameDropsDockerHubDomainAndOfficialPrefix(String input, String familiarName) {
    assertThat(ImageReference.parse(input).familiarName()).isEqualTo(familiarName);
  }

  static Stream<Arguments> tagsAndDigests() {
    return Stream.of(
        // input, tag, digest, familiar string, canonical string
        arguments("busybox", null, null, "busybox", "docker.io/library/busybox"),
        arguments("busybox:1", "1", null, "busybox:1", "docker.io/library/busybox:1"),
        arguments(
            "busybox@" + SHA256,
            null,
            SHA256,
            "busybox@" + SHA256,
            "docker.io/library/busybox@" + SHA256),
        arguments(
            "busybox:1.36@" + SHA256,
            "1.36",
            SHA256,
            "busybox:1.36@" + SHA256,
            "docker.io/library/busybox:1.36@" + SHA256),
        arguments(
            "localhost:5000/x:v1@" + SHA512,
            "v1",
            SHA512,
            "localhost:5000/x:v1@" + SHA512,
            "localhost:5000/x:v1@" + SHA512),
        arguments("[2001:db8::1]/x:tag", "tag", null, "[2001:db8::1]/x:tag", "[2001:db8::1]/x:tag"),
        arguments("user/app:_x", "_x", null, "user/app:_x", "docker.io/user/app:_x"),
        arguments("a:A.b-C_9", "A.b-C_9", null, "a:A.b-C_9", "docker.io/library/a:A.b-C_9"),
        arguments("a:" + TAG_128, TAG_128, null, "a:" + TAG_128, "docker.io/library/a:" + TAG_128),
        arguments("Docker.IO/x:1", "1", null, "Docker.IO/x:1", "Docker.IO/x:1"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("tagsAndDigests")
  void keepsTagAndDigestAndPrintsFamiliarAndCanonicalForms(
      String input, String tag, String digest, String familiarString, String canonical) {
    ImageReference ref = ImageReference.parse(input);

    assertThat(ref.tag()).isEqualTo(Optional.ofNullable(tag));
    assertThat(ref.digest()).isEqualTo(Optional.ofNullable(digest).map(Digest::parse));
    assertThat(ref.familiarString()).isEqualTo(familiarString);
    assertThat(ref).hasToString(canonical);
  }

  static Stream<Arguments> invalidReferences() {
    String format = "invalid reference format";
    return Stream.of(
        arguments("", format),
        arguments("UPPER", format + ": repository name (library/UPPER) must be lowercase"),
        arguments("Busybox", format + ": repository name (library/Busybox) must be lowercase"),
        arguments("a/B:tag", format + ": repository name (a/B) must be lowercase"),
        arguments(
            "docker.io/Busybox", format + ": repository name (library/Busybox) must be lowercase"),
        // Docker names the text up to the first colon, here a digest's algorithm.
        arguments("B@" + SHA256, format + ": repository name (library/B@sha256) must be lowercase"),
        // An upper-case first element is a domain; the rest is valid only when lower-cased.
        arguments("A_b/c", "repository name must be lowercase"),
        arguments("busybox:", format),
        arguments(":tag", format),
        arguments("@" + SHA256, format),
        arguments("busybox@", format),
        arguments("busybox@sha256:abc", format),
        arguments("busybox:tag@", format),
        arguments("a//b", format),
        arguments("a/", format),
        arguments("example.com/", format),
        arguments("-a", format),
        arguments("a-", format),
        arguments("a..b", format),
        arguments("a___b", format),
        arguments("a_-b", format),
        arguments("a:-tag", format),
        arguments("a:.tag", format),
        arguments("host:port/x:tag", format),
        arguments("localhost:5000/x:tag:tag", format),
        arguments("::1/x", format),
        arguments("[fe80::1%eth0]/x", format),
        arguments("-host.com/x", format),
        arguments("x:" + TAG_128 + "t", format),
        arguments("busy box", format),
        arguments(" busybox", format),
        arguments("busybox ", format),
        arguments("busybox\n", format),
        arguments("büsybox", format),
        // Docker would accept this with an empty domain, from which nothing can be pulled.
        arguments("a_b.c/x", format),
        arguments("a".repeat(248), "repository name must not be more than 255 characters"),
        arguments(
            "example.com/" + "a".repeat(256),
            "repository name must not be more than 255 characters"),
        arguments(
            HEX,
            "invalid repository name (" + HEX + "), cannot specify 64-byte hexadecimal strings"),
        arguments(
            "a@md5:" + "0".repeat(32),
            format + ": unsupported digest algorithm md5: md5:" + "0".repeat(32)),
        arguments(
            "a@sha256:" + "0".repeat(40),
            format + ": invalid sha256 digest: sha256:" + "0".repeat(40)),
        arguments(
            "a@sha256:" + HEX.toUpperCase(Locale.ROOT),
            format + ": invalid sha256 digest: sha256:" + HEX.toUpperCase(Locale.ROOT)),
        arguments(
            "a@SHA256:" + HEX, format + ": repository name (library/a@SHA256) must be lowercase"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidReferences")
  void rejectsInvalidReferencesWithDockersMessage(String input, String message) {
    assertThatThrownBy(() -> ImageReference.parse(input))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessage(message);
  }

  @Test
  void acceptsPathsOfUpTo255Characters() {
    assertThat(ImageReference.parse("a".repeat(247)).path()).hasSize(255);
    assertThat(ImageReference.parse("example.com/" + "a".repeat(255)).path()).hasSize(255);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "busybox",
        "user/app:1",
        "index.docker.io/library/ubuntu",
        "docker.io/library/a/b",
        "localhost/x",
        "[::1]:5000/x:tag@" + SHA256,
        "Example.COM:443/a/b/c@" + SHA512,
        "localhost:5000",
      })
  void parsingTheCanonicalOrFamiliarFormGivesAnEqualReference(String input) {
    ImageReference ref = ImageReference.parse(input);

    assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref).hasSameHashCodeAs(ref);
    assertThat(ImageReference.parse(ref.familiarString())).isEqualTo(ref);
  }

  @Test
  void addsLibraryPrefixToOfficialImages() {
    assertThat(ImageReference.parse("ubuntu"))
        .isEqualTo(ImageReference.parse("docker.io/library/ubuntu"))
        .isEqualTo(ImageReference.parse("index.docker.io/ubuntu"));
  }

  @Test
  void referencesDifferingInTagOrDigestAreNotEqual() {
    ImageReference ref = ImageReference.parse("busybox");

    assertThat(ref).isNotEqualTo(ImageReference.parse("busybox:latest"));
    assertThat(ref).isNotEqualTo(ImageReference.parse("busybox@" + SHA256));
    assertThat(ref).isNotEqualTo(ImageReference.parse("quay.io/library/busybox"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          busybox            | docker.io/library/busybox:latest
          busybox:1          | docker.io/library/busybox:1
          busybox@SHA        | docker.io/library/busybox@SHA
          busybox:1@SHA      | docker.io/library/busybox:1@SHA
          """)
  void defaultTagIsAddedOnlyWhenThereIsNeitherTagNorDigest(String input, String expected) {
    ImageReference ref = ImageReference.parse(input.replace("SHA", SHA256));

    assertThat(ref.withDefaultTag()).hasToString(expected.replace("SHA", SHA256));
  }

  @Test
  void withTagKeepsTheDigestAndWithDigestKeepsTheTag() {
    ImageReference ref = ImageReference.parse("busybox");
    Digest digest = Digest.parse(SHA256);

    assertThat(ref.withTag("1").withDigest(digest))
        .isEqualTo(ref.withDigest(digest).withTag("1"))
        .hasToString("docker.io/library/busybox:1@" + SHA256);
  }

  @Test
  void withoutTagAndWithoutDigestRemoveOnlyThatPart() {
    ImageReference ref = ImageReference.parse("busybox:1@" + SHA256);

    assertThat(ref.withoutTag()).hasToString("docker.io/library/busybox@" + SHA256);
    assertThat(ref.withoutDigest()).hasToString("docker.io/library/busybox:1");
    assertThat(ref.withoutTag().withoutDigest()).isEqualTo(ImageReference.parse("busybox"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"", "-x", ".x", "a b", "a:b", "a/b", "a@b", "ü"})
  void withTagRejectsInvalidTags(String tag) {
    ImageReference ref = ImageReference.parse("busybox");

    assertThatThrownBy(() -> ref.withTag(tag))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessage("invalid tag format");
  }

  @Test
  void withTagRejectsATagLongerThan128Characters() {
    ImageReference ref = ImageReference.parse("busybox");

    assertThat(ref.withTag(TAG_128).tag()).contains(TAG_128);
    assertThatThrownBy(() -> ref.withTag(TAG_128 + "t")).hasMessage("invalid tag format");
  }

  @Test
  void invalidReferenceExceptionIsAnIllegalArgumentException() {
    assertThatThrownBy(() -> ImageReference.parse("UPPER"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static Stream<String> longInputs() {
    String many = "a-".repeat(20_000);
    return Stream.of(
        many + "!",
        "a/".repeat(20_000) + "!",
        "a.".repeat(20_000) + "a/x!",
        "a" + "__a".repeat(20_000) + ":tag!",
        "a@" + "a.".repeat(20_000) + "a:" + "0".repeat(64),
        "x:" + "a".repeat(20_000),
        "a" + "-a".repeat(20_000) + "-:" + "a".repeat(20_000));
  }

  @ParameterizedTest
  @MethodSource("longInputs")
  void rejectsLongInputQuicklyWithoutOverflowingTheStack(String input) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(2),
        () ->
            assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(InvalidReferenceException.class));
  }

  @Test
  void parsesLongValidDomainsAndPathsWithoutOverflowingTheStack() {
    String domain = "a.".repeat(20_000) + "a";

    assertThat(ImageReference.parse(domain + "/x").domain()).isEqualTo(domain);
    assertThat(ImageReference.parse("x/" + "a-".repeat(100) + "a").path()).hasSize(203);
  }
}
