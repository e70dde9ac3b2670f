package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.registry.UnauthorizedException;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.RecordedRequest;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.TokenIssuer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from real registries that want credentials: htpasswd basic auth and token auth. */
class AuthenticatedPullIT {
  @TempDir static Path fixtures;
  static OciLayoutImage image;

  @BeforeAll
  static void buildImage() throws IOException {
    image = TestImages.multiLayer(fixtures);
  }

  private static Hoist hoist(Path store, CredentialProvider credentials) throws IOException {
    return Hoist.builder().store(store).credentials(credentials).build();
  }

  private static void assertStoreUntouched(Path store) throws IOException {
    assertThat(Files.readString(store.resolve("index.json"))).contains("\"manifests\":[]");
    assertThat(store.resolve("blobs/sha256")).isEmptyDirectory();
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class BasicAuth {
    LocalRegistry registry;
    String ref;

    @BeforeAll
    void start() throws IOException {
      registry = LocalRegistry.withBasicAuth("alice", "s3cret");
      registry.push(image, "private/app", "v1");
      ref = registry.host() + "/private/app:v1";
    }

    @AfterAll
    void stop() throws IOException {
      registry.close();
    }

    @Test
    void pullsWithTheConfiguredPassword(@TempDir Path store) throws IOException {
      CredentialProvider creds = CredentialProvider.of(Map.of(registry.host(), Credential.basic("alice", "s3cret")));
      try (Hoist hoist = hoist(store, creds)) {
        assertThat(hoist.pull(ref).digest()).hasToString(image.manifestDigest());
      }
    }

    @Test
    void withoutCredentialsFailsAsDockerDoesAndChangesNothing(@TempDir Path store) throws IOException {
      try (Hoist hoist = hoist(store, CredentialProvider.anonymous())) {
        assertThatThrownBy(() -> hoist.pull(ref))
            .isInstanceOf(UnauthorizedException.class)
            .hasMessageStartingWith("pull access denied for " + registry.host() + "/private/app,"
                + " repository does not exist or may require 'docker login'");
      }
      assertStoreUntouched(store);
    }

    @Test
    void aWrongPasswordFailsNamingTheRegistry(@TempDir Path store) throws IOException {
      CredentialProvider creds = CredentialProvider.of(Map.of(registry.host(), Credential.basic("alice", "wrong")));
      try (Hoist hoist = hoist(store, creds)) {
        assertThatThrownBy(() -> hoist.pull(ref))
            .isInstanceOf(UnauthorizedException.class)
            .hasMessageContaining("the credentials for " + registry.host() + " were not accepted");
      }
      assertStoreUntouched(store);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class TokenAuth {
    TokenIssuer issuer;
    LocalRegistry registry;

    @BeforeAll
    void start() throws IOException {
      issuer = TokenIssuer.start().user("bob", "hunter2", "pull").publicRepository("public/app");
      registry = LocalRegistry.withTokenAuth(issuer);
      registry.push(image, "public/app", "v1");
      registry.push(image, "private/app", "v1");
    }

    @AfterAll
    void stop() throws IOException {
      registry.close();
      issuer.close();
    }

    @Test
    void pullsAPublicRepositoryAnonymouslyWithOneTokenForAllRequests(@TempDir Path store) throws IOException {
      issuer.clearRequests();
      try (Hoist hoist = hoist(store, CredentialProvider.anonymous())) {
        hoist.pull(registry.host() + "/public/app:v1");
      }

      assertThat(issuer.requests()).singleElement().satisfies(r -> {
        assertThat(r.param("scope")).contains("repository:public/app:pull");
        assertThat(r.param("service")).contains(issuer.service());
        assertThat(r.authorization()).isEmpty();
      });
    }

    @Test
    void pullsAPrivateRepositoryWithCredentials(@TempDir Path store) throws IOException {
      issuer.clearRequests();
      CredentialProvider creds = CredentialProvider.of(Map.of(registry.host(), Credential.basic("bob", "hunter2")));
      try (Hoist hoist = hoist(store, creds)) {
        assertThat(hoist.pull(registry.host() + "/private/app:v1").digest())
            .hasToString(image.manifestDigest());
      }

      assertThat(issuer.requests()).singleElement().satisfies(r -> {
        assertThat(r.param("account")).contains("bob");
        assertThat(r.authorization()).hasValueSatisfying(a -> assertThat(a).startsWith("Basic "));
      });
    }

    @Test
    void refusesAPrivateRepositoryToAnonymousUsers(@TempDir Path store) throws IOException {
      try (Hoist hoist = hoist(store, CredentialProvider.anonymous())) {
        assertThatThrownBy(() -> hoist.pull(registry.host() + "/private/app:v1"))
            .isInstanceOf(UnauthorizedException.class)
            .hasMessageStartingWith("pull access denied for " + registry.host() + "/private/app");
      }
      assertStoreUntouched(store);
    }

    @Test
    void wrongCredentialsFailNamingTheRegistry(@TempDir Path store) throws IOException {
      CredentialProvider creds = CredentialProvider.of(Map.of(registry.host(), Credential.basic("bob", "nope")));
      try (Hoist hoist = hoist(store, creds)) {
        assertThatThrownBy(() -> hoist.pull(registry.host() + "/private/app:v1"))
            .isInstanceOf(UnauthorizedException.class)
            .hasMessageContaining(registry.host())
            .hasMessageContaining("rejected the credentials");
      }
      assertStoreUntouched(store);
    }

    @Test
    void exchangesAnIdentityTokenWithAnOAuthPost(@TempDir Path store) throws IOException {
      issuer.refreshToken("refresh-123", "bob");
      issuer.clearRequests();
      CredentialProvider creds = CredentialProvider.of(Map.of(registry.host(), Credential.identityToken("refresh-123")));
      try (Hoist hoist = hoist(store, creds)) {
        hoist.pull(registry.host() + "/private/app:v1");
      }

      RecordedRequest request = issuer.requests().get(0);
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.param("grant_type")).contains("refresh_token");
      assertThat(request.param("refresh_token")).contains("refresh-123");
    }

    @Test
    void acceptsTokenServersThatAnswerWithAccessTokenOnly(@TempDir Path store) throws IOException {
      issuer.tokenField(TokenIssuer.TokenField.ACCESS_TOKEN);
      try (Hoist hoist = hoist(store, CredentialProvider.anonymous())) {
        assertThat(hoist.pull(registry.host() + "/public/app:v1").digest())
            .hasToString(image.manifestDigest());
      } finally {
        issuer.tokenField(TokenIssuer.TokenField.BOTH);
      }
    }
  }
}
