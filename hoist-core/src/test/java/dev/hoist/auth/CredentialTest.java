package dev.hoist.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialTest {

  @Test
  void basicCredentialHasUsernameAndPasswordButNoToken() {
    Credential credential = Credential.basic("alice", "s3cret");

    assertThat(credential.username()).isEqualTo("alice");
    assertThat(credential.password()).isEqualTo("s3cret");
    assertThat(credential.identityToken()).isEmpty();
    assertThat(credential.isIdentityToken()).isFalse();
  }

  @Test
  void identityTokenHasNoPasswordAndMayCarryAUsername() {
    Credential bare = Credential.identityToken("refresh-1");
    Credential named = Credential.identityToken("alice", "refresh-1");

    assertThat(bare.isIdentityToken()).isTrue();
    assertThat(bare.identityToken()).isEqualTo("refresh-1");
    assertThat(bare.password()).isEmpty();
    assertThat(bare.username()).isEmpty();
    assertThat(named.username()).isEqualTo("alice");
  }

  @Test
  void toStringNamesTheUserButNeverTheSecret() {
    assertThat(Credential.basic("alice", "s3cret"))
        .hasToString("Credential[basic user=alice password=***]");
    assertThat(Credential.identityToken("alice", "refresh-1").toString())
        .doesNotContain("refresh-1")
        .contains("alice", "identitytoken");
  }

  @Test
  void credentialsWithTheSameFieldsAreEqual() {
    assertThat(Credential.basic("alice", "pw"))
        .isEqualTo(Credential.basic("alice", "pw"))
        .hasSameHashCodeAs(Credential.basic("alice", "pw"))
        .isNotEqualTo(Credential.basic("alice", "other"))
        .isNotEqualTo(Credential.identityToken("alice", "pw"));
  }

  @Test
  void emptyIdentityTokenIsRejected() {
    assertThatThrownBy(() -> Credential.identityToken(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nullPasswordIsRejected() {
    assertThatThrownBy(() -> Credential.basic("alice", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("password == null");
  }
}
