package dev.hoist.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a docker credential helper, {@code docker-credential-NAME get|store|erase}, following the
 * protocol of docker-credential-helpers ({@code client.Get}, {@code Store}, {@code Erase}): for
 * {@code get} and {@code erase} the server URL is written to stdin; {@code get} prints, and {@code
 * store} reads, {@code {"ServerURL":...,"Username":...,"Secret":...}}. A user name of {@code
 * <token>} means the secret is an identity token.
 *
 * <p>The helper is found in the directories of a search path (normally {@code $PATH}), runs with a
 * time limit, and is killed if it overruns. Its stderr is discarded. Thread-safe.
 */
final class CredentialHelper {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** What a helper prints when it has no credential for the server (errCredentialsNotFound). */
  static final String NOT_FOUND = "credentials not found in native keychain";

  private static final String TOKEN_USERNAME = "<token>";
  private static final int MAX_OUTPUT = 1 << 20;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String program;
  private final List<Path> searchPath;
  private final Duration timeout;

  /**
   * @param suffix the helper name as configured, e.g. {@code osxkeychain}
   * @param searchPath directories to look for {@code docker-credential-SUFFIX} in, in order
   */
  CredentialHelper(String suffix, List<Path> searchPath, Duration timeout) {
    this.program = "docker-credential-" + suffix;
    this.searchPath = List.copyOf(searchPath);
    this.timeout = timeout;
  }

  /** The absolute directories of {@code PATH} in {@code env}; relative entries are skipped. */
  static List<Path> searchPath(Map<String, String> env) {
    String path = env.getOrDefault("PATH", "");
    List<Path> dirs = new ArrayList<>();
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Path.of(dir).isAbsolute()) {
        dirs.add(Path.of(dir));
      }
    }
    return dirs;
  }

  /**
   * The credential stored for {@code serverUrl}, or empty if the helper has none.
   *
   * @throws IOException with docker's message {@code error getting credentials - err: CAUSE, out:
   *     `STDOUT`} if the helper is not found, fails, or times out. Docker fails the pull in that
   *     case; a caller may instead report it and continue anonymously.
   */
  Optional<Credential> get(String serverUrl) throws IOException {
    Answer answer = run(Action.GET, serverUrl.getBytes(StandardCharsets.UTF_8), "");
    if (answer.exitCode() != 0) {
      if (answer.out().equals(NOT_FOUND)) {
        return Optional.empty();
      }
      throw Action.GET.failure("exit status " + answer.exitCode(), answer.out());
    }
    return parse(answer.out());
  }

  /**
   * Hands {@code credential} to the helper for {@code serverUrl} ({@code client.Store}): {@code
   * {"ServerURL":…,"Username":…,"Secret":…}} on stdin; an identity token goes as user name {@code
   * <token>}.
   *
   * @throws IOException {@code error storing credentials - err: CAUSE, out: `STDOUT`}, with the
   *     secret masked should the helper echo it
   */
  void store(String serverUrl, Credential credential) throws IOException {
    boolean token = credential.isIdentityToken();
    String secret = token ? credential.identityToken() : credential.password();
    ObjectNode json = MAPPER.createObjectNode();
    json.put("ServerURL", serverUrl);
    json.put("Username", token ? TOKEN_USERNAME : credential.username());
    json.put("Secret", secret);
    Answer answer = run(Action.STORE, MAPPER.writeValueAsBytes(json), secret);
    if (answer.exitCode() != 0) {
      throw Action.STORE.failure("exit status " + answer.exitCode(), answer.out());
    }
  }

  /**
   * Removes what the helper keeps for {@code serverUrl} ({@code client.Erase}).
   *
   * @return false if it kept nothing for it
   * @throws IOException {@code error erasing credentials - err: CAUSE, out: `STDOUT`}
   */
  boolean erase(String serverUrl) throws IOException {
    Answer answer = run(Action.ERASE, serverUrl.getBytes(StandardCharsets.UTF_8), "");
    if (answer.exitCode() == 0) {
      return true;
    }
    if (answer.out().equals(NOT_FOUND)) {
      return false;
    }
    throw Action.ERASE.failure("exit status " + answer.exitCode(), answer.out());
  }

  /** The helper's verbs, with the words docker's errors use for them. */
  private enum Action {
    GET("get", "getting"),
    STORE("store", "storing"),
    ERASE("erase", "erasing");

    final String argument;
    final String gerund;

    Action(String argument, String gerund) {
      this.argument = argument;
      this.gerund = gerund;
    }

    IOException failure(String cause, String out) {
      return new IOException(
          "error " + gerund + " credentials - err: " + cause + ", out: `" + out + "`");
    }
  }

  /** The exit code and the trimmed stdout of one run, with {@code secret} masked in it. */
  private record Answer(int exitCode, String out) {}

  private Answer run(Action action, byte[] input, String secret) throws IOException {
    Path executable =
        find()
            .orElseThrow(
                () ->
                    action.failure(
                        "exec: \"" + program + "\": executable file not found in $PATH", ""));
    Process process = start(action, executable);
    FutureTask<byte[]> stdout = new FutureTask<>(() -> readCapped(process.getInputStream()));
    Thread reader = new Thread(stdout, program + " stdout");
    reader.setDaemon(true);
    reader.start();
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(input);
    } catch (IOException ignored) {
      // The helper exited without reading its input; its exit status tells why.
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw action.failure("timed out after " + timeout.toMillis() + " ms", "");
      }
      String out =
          new String(stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8)
              .trim();
      return new Answer(process.exitValue(), secret.isEmpty() ? out : out.replace(secret, "***"));
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted running " + program);
    } catch (ExecutionException | TimeoutException e) {
      kill(process); // stdout stays open: a child of the helper may still hold it
      throw action.failure("reading output: " + e, "");
    }
  }

  private Process start(Action action, Path executable) throws IOException {
    try {
      return new ProcessBuilder(executable.toString(), action.argument)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw action.failure(e.getMessage(), "");
    }
  }

  private Optional<Path> find() {
    if (program.contains("/") || program.contains(File.separator)) {
      return Optional.empty(); // a helper name is a suffix, not a path
    }
    for (Path dir : searchPath) {
      Path candidate = dir.resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Parses the helper's answer; the message never includes it, as it holds the secret. */
  private Optional<Credential> parse(String out) throws IOException {
    JsonNode json;
    try {
      json = MAPPER.readTree(out);
    } catch (IOException e) {
      json = null;
    }
    if (json == null || !json.isObject()) {
      throw new IOException(program + " get: output is not a credentials JSON object");
    }
    String username = json.path("Username").asText("");
    String secret = json.path("Secret").asText("");
    if (username.equals(TOKEN_USERNAME)) {
      return secret.isEmpty() ? Optional.empty() : Optional.of(Credential.identityToken(secret));
    }
    if (username.isEmpty() && secret.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Credential.basic(username, secret));
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.getInputStream().close();
    } catch (IOException ignored) {
      // Closing only unblocks the reader thread.
    }
  }

  /** Reads up to {@link #MAX_OUTPUT} bytes and drains the rest, so the helper never blocks. */
  private static byte[] readCapped(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) != -1; ) {
      out.write(buffer, 0, Math.min(n, Math.max(0, MAX_OUTPUT - out.size())));
    }
    return out.toByteArray();
  }
}
