package dev.hoist.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialHelperTest {
  @TempDir Path bin;

  private CredentialHelper helper(String name) {
    return new CredentialHelper(name, List.of(bin), Duration.ofSeconds(10));
  }

  @Test
  void helperAnswerIsABasicCredentialAndItGetsTheServerUrlOnStdin() throws IOException {
    FakeHelper.answering(bin, "fake", "alice", "s3cret");

    assertThat(helper("fake").get("ghcr.io")).contains(Credential.basic("alice", "s3cret"));
    assertThat(FakeHelper.stdin(bin, "fake")).isEqualTo("ghcr.io");
  }

  @Test
  void tokenUsernameMeansTheSecretIsAnIdentityToken() throws IOException {
    FakeHelper.answering(bin, "fake", "<token>", "refresh-1");

    assertThat(helper("fake").get("ghcr.io")).contains(Credential.identityToken("refresh-1"));
  }

  @Test
  void credentialsNotFoundInNativeKeychainMeansNoCredential() throws IOException {
    FakeHelper.write(bin, "fake", "echo 'credentials not found in native keychain'; exit 1");

    assertThat(helper("fake").get("ghcr.io")).isEmpty();
  }

  @Test
  void missingHelperFailsWithDockersWords() {
    assertThatThrownBy(() -> helper("absent").get("ghcr.io"))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "error getting credentials - err: exec: \"docker-credential-absent\": executable file"
                + " not found in $PATH, out: ``");
  }

  @Test
  void failingHelperReportsItsExitStatusAndOutput() throws IOException {
    FakeHelper.write(bin, "fake", "echo 'keychain is locked'; echo 'noise' >&2; exit 2");

    assertThatThrownBy(() -> helper("fake").get("ghcr.io"))
        .hasMessage("error getting credentials - err: exit status 2, out: `keychain is locked`");
  }

  @Test
  void helperThatOverrunsTheTimeLimitIsKilled() throws IOException {
    FakeHelper.write(bin, "fake", "sleep 60");
    CredentialHelper slow = new CredentialHelper("fake", List.of(bin), Duration.ofMillis(300));

    long start = System.nanoTime();
    assertThatThrownBy(() -> slow.get("ghcr.io")).hasMessageContaining("timed out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void malformedAnswerFailsWithoutQuotingIt() throws IOException {
    FakeHelper.write(bin, "fake", "echo 'Username: alice Secret: s3cret'");

    assertThatThrownBy(() -> helper("fake").get("ghcr.io"))
        .hasMessageContaining("docker-credential-fake")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void emptyAnswerMeansNoCredential() throws IOException {
    FakeHelper.answering(bin, "fake", "", "");

    assertThat(helper("fake").get("ghcr.io")).isEmpty();
  }

  @Test
  void helperIsLookedUpInSearchPathOrder(@TempDir Path first) throws IOException {
    FakeHelper.answering(first, "fake", "first", "pw");
    FakeHelper.answering(bin, "fake", "second", "pw");
    CredentialHelper helper =
        new CredentialHelper("fake", List.of(first, bin), Duration.ofSeconds(10));

    assertThat(helper.get("ghcr.io").map(Credential::username)).contains("first");
  }

  @Test
  void storeSendsServerUserAndSecretAsJsonOnStdin() throws IOException {
    FakeHelper.write(bin, "fake", "store", "exit 0");

    helper("fake").store("ghcr.io", Credential.basic("alice", "s3cret"));

    assertThat(FakeHelper.stdin(bin, "fake"))
        .isEqualTo("{\"ServerURL\":\"ghcr.io\",\"Username\":\"alice\",\"Secret\":\"s3cret\"}");
  }

  @Test
  void storeSendsAnIdentityTokenUnderTheTokenUsername() throws IOException {
    FakeHelper.write(bin, "fake", "store", "exit 0");

    helper("fake").store("ghcr.io", Credential.identityToken("alice", "refresh-1"));

    assertThat(FakeHelper.stdin(bin, "fake"))
        .isEqualTo("{\"ServerURL\":\"ghcr.io\",\"Username\":\"<token>\",\"Secret\":\"refresh-1\"}");
  }

  @Test
  void failingStoreUsesDockersWordsAndMasksAnEchoedSecret() throws IOException {
    FakeHelper.write(bin, "fake", "store", "echo \"cannot keep $(cat \"$(dirname \"$0\")/fake.stdin\")\"; exit 1");

    assertThatThrownBy(() -> helper("fake").store("ghcr.io", Credential.basic("alice", "s3cret")))
        .hasMessageStartingWith("error storing credentials - err: exit status 1, out: `cannot keep")
        .hasMessageContaining("***")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void eraseSendsTheServerUrlAndSaysWhetherThereWasACredential() throws IOException {
    FakeHelper.write(bin, "fake", "erase", "exit 0");
    assertThat(helper("fake").erase("ghcr.io")).isTrue();
    assertThat(FakeHelper.stdin(bin, "fake")).isEqualTo("ghcr.io");

    FakeHelper.write(bin, "fake", "erase", "echo 'credentials not found in native keychain'; exit 1");
    assertThat(helper("fake").erase("ghcr.io")).isFalse();
  }

  @Test
  void failingEraseUsesDockersWords() throws IOException {
    FakeHelper.write(bin, "fake", "erase", "echo 'keychain is locked'; exit 1");

    assertThatThrownBy(() -> helper("fake").erase("ghcr.io"))
        .hasMessage("error erasing credentials - err: exit status 1, out: `keychain is locked`");
  }

  @Test
  void searchPathSkipsEmptyAndRelativeEntries() {
    Map<String, String> env = Map.of("PATH", "/usr/bin::relative/bin:/bin");

    assertThat(CredentialHelper.searchPath(env))
        .containsExactly(Path.of("/usr/bin"), Path.of("/bin"));
  }
}
