package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How {@code hoist login} and {@code logout} read their arguments; nothing here reaches a registry. */
class LoginCommandTest {
  @Test
  void passwordStdinNeedsAUsername() {
    CliRun run = CliRun.of("login", "--password-stdin", "localhost:5000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).containsExactly("Error: Must provide --username with --password-stdin");
  }

  @Test
  void passwordAndPasswordStdinAreMutuallyExclusiveAndThePasswordFlagIsWarnedAbout() {
    CliRun run = CliRun.of("login", "-u", "alice", "-p", "s3cret", "--password-stdin", "localhost:5000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).containsExactly(
        "WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
        "Error: --password and --password-stdin are mutually exclusive");
  }

  @Test
  void withoutCredentialsOrConsoleLoginIsAUsageError() {
    CliRun run = CliRun.of("login", "localhost:5000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines())
        .containsExactly("Error: Cannot perform an interactive login from a non TTY device");
  }

  @Test
  void aServerWithAnotherSchemeIsAUsageError() {
    CliRun run = CliRun.of("logout", "ftp://localhost:5000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Error: invalid server address \"ftp://localhost:5000\": unsupported URL scheme");
  }

  @Test
  void helpShowsExamplesAndTheStdinOption() {
    CliRun login = CliRun.of("login", "--help");
    CliRun logout = CliRun.of("logout", "--help");

    assertThat(login.exitCode()).isZero();
    assertThat(login.out()).contains("Usage: hoist login", "[SERVER]", "--password-stdin", "Examples:");
    assertThat(logout.out()).contains("Usage: hoist logout", "[SERVER]", "Examples:");
    assertThat(CliRun.of("--help").out()).contains("login", "logout");
  }

  @Test
  void stdinLosesOneTrailingNewlineAndCarriageReturnAsInDocker() throws IOException {
    assertThat(read("s3cret\r\n")).isEqualTo("s3cret");
    assertThat(read("s3cret\n")).isEqualTo("s3cret");
    assertThat(read("s3cret")).isEqualTo("s3cret");
    assertThat(read(" s3 cret \n\n")).isEqualTo(" s3 cret \n");
  }

  private static String read(String stdin) throws IOException {
    return LoginCommand.readStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
  }
}
