package dev.hoist.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialProviderTest {
  private static final Credential ALICE = Credential.basic("alice", "s3cret");

  @Test
  void fixedMapMatchesKeysLikeAuths() throws IOException {
    CredentialProvider provider =
        CredentialProvider.of(Map.of("https://index.docker.io/v1/", ALICE, "ghcr.io", ALICE));

    assertThat(provider.lookup("docker.io")).contains(ALICE);
    assertThat(provider.lookup("ghcr.io")).contains(ALICE);
    assertThat(provider.lookup("quay.io")).isEmpty();
  }

  @Test
  void orElseAsksTheOtherProviderOnlyWhenTheFirstHasNothing() throws IOException {
    Credential bob = Credential.basic("bob", "pw");
    CredentialProvider provider =
        CredentialProvider.of(Map.of("ghcr.io", ALICE)).orElse(r -> Optional.of(bob));

    assertThat(provider.lookup("ghcr.io")).contains(ALICE);
    assertThat(provider.lookup("quay.io")).contains(bob);
    assertThat(CredentialProvider.anonymous().lookup("ghcr.io")).isEmpty();
  }

  @Test
  void orElseDoesNotHideAnErrorFromTheFirstProvider() {
    CredentialProvider failing =
        registry -> {
          throw new IOException("helper failed");
        };

    assertThatThrownBy(() -> failing.orElse(CredentialProvider.anonymous()).lookup("ghcr.io"))
        .hasMessage("helper failed");
  }
}
