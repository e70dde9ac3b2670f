package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChallengeTest {
  @Test
  void parsesDockerHubBearerChallenge() {
    List<Challenge> challenges =
        Challenge.parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/busybox:pull\"");

    assertThat(challenges)
        .containsExactly(
            new Challenge(
                "bearer",
                Map.of(
                    "realm", "https://auth.docker.io/token",
                    "service", "registry.docker.io",
                    "scope", "repository:library/busybox:pull")));
  }

  @Test
  void keepsCommasInsideQuotedValues() {
    Challenge c =
        Challenge.parse("Bearer realm=\"https://a/token\",scope=\"repository:x:pull,push\"").get(0);

    assertThat(c.param("scope")).isEqualTo("repository:x:pull,push");
  }

  @Test
  void parsesSeveralChallengesInOneHeader() {
    List<Challenge> challenges =
        Challenge.parse("Basic realm=\"Registry Realm\", Bearer realm=\"https://a/t\",service=s");

    assertThat(challenges).extracting(Challenge::scheme).containsExactly("basic", "bearer");
    assertThat(challenges.get(0).param("realm")).isEqualTo("Registry Realm");
    assertThat(challenges.get(1).param("service")).isEqualTo("s");
  }

  @Test
  void lowerCasesSchemeAndParameterNamesButNotValues() {
    Challenge c = Challenge.parse("BEARER Realm=\"https://A/Token\"").get(0);

    assertThat(c.isBearer()).isTrue();
    assertThat(c.param("realm")).isEqualTo("https://A/Token");
  }

  @Test
  void unescapesQuotedPairs() {
    Challenge c = Challenge.parse("Basic realm=\"say \\\"hi\\\"\"").get(0);

    assertThat(c.param("realm")).isEqualTo("say \"hi\"");
  }

  @Test
  void toleratesEmptyAndMalformedHeaders() {
    assertThat(Challenge.parse("")).isEmpty();
    assertThat(Challenge.parse(null)).isEmpty();
    assertThat(Challenge.parse("Basic")).extracting(Challenge::scheme).containsExactly("basic");
    assertThat(Challenge.parse("Bearer realm=\"unterminated")).hasSize(1);
  }
}
