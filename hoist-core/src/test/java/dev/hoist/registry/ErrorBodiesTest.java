package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorBodiesTest {
  @Test
  void readsTheSpecsErrorBody() {
    byte[] body =
        ("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
                + "\"detail\":{\"Tag\":\"nope\"}},{\"code\":\"DENIED\",\"message\":\"no\"}]}")
            .getBytes(StandardCharsets.UTF_8);

    assertThat(ErrorBodies.parse(body))
        .containsExactly(
            new RegistryError("MANIFEST_UNKNOWN", "manifest unknown", "{\"Tag\":\"nope\"}"),
            new RegistryError("DENIED", "no", ""));
  }

  @Test
  void printsErrorsTheWayDockerDoes() {
    assertThat(new RegistryError("MANIFEST_UNKNOWN", "manifest unknown", ""))
        .hasToString("manifest unknown: manifest unknown");
    assertThat(new RegistryError("TOOMANYREQUESTS", "You have reached your pull rate limit.", ""))
        .hasToString("toomanyrequests: You have reached your pull rate limit.");
  }

  @Test
  void ignoresBodiesThatAreNotJson() {
    assertThat(ErrorBodies.parse("<html>502 Bad Gateway</html>".getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
    assertThat(ErrorBodies.parse(new byte[0])).isEmpty();
  }

  @Test
  void readsAtMostTheLimitOfAHostileBody() {
    java.io.InputStream endless =
        new java.io.InputStream() {
          long served;

          @Override
          public int read() {
            served++;
            return 'x';
          }
        };

    assertThat(ErrorBodies.read(endless)).isEmpty();
  }
}
