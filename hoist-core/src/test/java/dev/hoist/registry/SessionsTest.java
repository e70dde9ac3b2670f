package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.hosts.Endpoint;
import dev.hoist.hosts.RegistryHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionsTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  @TempDir Path certs;

  private Sessions sessions() {
    Transport transport = new Transport(SECOND, SECOND, SECOND, "hoist-test", null);
    return new Sessions(transport, CredentialProvider.anonymous(), new CertsDirectory(List.of(certs)));
  }

  /** A fresh configuration's endpoint each time: equal, never the same object. */
  private static Endpoint upstream(String registry) throws IOException {
    return RegistryHosts.none().endpoints(registry).get(0);
  }

  @Test
  void anEndpointUnderOneNameKeepsOneSession() throws IOException {
    Sessions sessions = sessions();
    AuthSession session = sessions.of("ghcr.io", upstream("ghcr.io"));

    assertThat(sessions.of("ghcr.io", upstream("ghcr.io"))).isSameAs(session);
    assertThat(sessions.of("ghcr.io", upstream("ghcr.io")).endpoint()).isSameAs(session.endpoint());
  }

  @Test
  void anotherNameOrEndpointHasASessionOfItsOwn() throws IOException {
    Sessions sessions = sessions();
    AuthSession session = sessions.of("ghcr.io", upstream("ghcr.io"));

    assertThat(sessions.of("mirror.example", upstream("ghcr.io"))).isNotSameAs(session);
    assertThat(sessions.of("ghcr.io", upstream("quay.io"))).isNotSameAs(session);
  }

  @Test
  void theCertsDirectoryIsLookedUpWhenTheSessionIsMade() throws IOException {
    Sessions sessions = sessions();
    sessions.of("ghcr.io", upstream("ghcr.io"));
    Files.createDirectories(certs.resolve("ghcr.io"));

    assertThat(sessions.of("ghcr.io", upstream("ghcr.io")).endpoint().tls().directory()).isEmpty();
    assertThat(sessions().of("ghcr.io", upstream("ghcr.io")).endpoint().tls().directory())
        .contains(certs.resolve("ghcr.io"));
  }

  @Test
  void aLoginCheckHasASessionOfItsOwnThatIsNotKept() throws IOException {
    Sessions sessions = sessions();
    Credential credential = Credential.basic("user", "secret");
    AuthSession kept = sessions.of("ghcr.io", upstream("ghcr.io"));

    AuthSession checking = sessions.checking(credential, "ghcr.io", upstream("ghcr.io"));

    assertThat(checking).isNotSameAs(kept);
    assertThat(sessions.checking(credential, "ghcr.io", upstream("ghcr.io"))).isNotSameAs(checking);
    assertThat(sessions.of("ghcr.io", upstream("ghcr.io"))).isSameAs(kept);
  }
}
