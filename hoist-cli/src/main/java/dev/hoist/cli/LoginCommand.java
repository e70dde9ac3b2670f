package dev.hoist.cli;

import dev.hoist.RegistryLogin;
import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialStore;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoist login [SERVER]}: docker login, checked against the registry, stored as docker stores it. */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Log in to a registry: check the credentials against it, then store them for later pulls.",
      "Defaults to Docker Hub if no server is specified."
    },
    footer = {
      "",
      "Examples:",
      "  hoist login -u alice ghcr.io                (asks for the password)",
      "  echo \"$TOKEN\" | hoist login -u alice --password-stdin ghcr.io",
      "  hoist login -u admin --password-stdin localhost:5000 < password.txt",
      "",
      "Credentials go to the credential helper docker's config file names for the server",
      "(credHelpers, else credsStore), else into that file ($DOCKER_CONFIG/config.json or",
      "~/.docker/config.json, mode 0600), where docker and hoist pull find them."
    })
final class LoginCommand implements Callable<Integer> {
  private static final int MAX_STDIN = 1 << 20;

  @Spec CommandSpec spec;

  @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "Username.")
  String username = "";

  @Option(
      names = {"-p", "--password"},
      paramLabel = "PASSWORD",
      description = "Password or token (insecure: it shows in the process list; use --password-stdin).")
  String password = "";

  @Option(names = "--password-stdin", description = "Take the password or token from stdin.")
  boolean passwordStdin;

  // --insecure-registry, --certs-dir, --hosts-dir, --config (--store unused)
  @Mixin GlobalOptions global;

  @Parameters(
      arity = "0..1",
      paramLabel = "SERVER",
      description = "The registry, host[:port] (default: Docker Hub).")
  String server = "";

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!password.isEmpty()) {
      err.println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
      err.flush();
      if (passwordStdin) {
        throw new IllegalArgumentException("--password and --password-stdin are mutually exclusive");
      }
    }
    if (passwordStdin) {
      if (username.isBlank()) {
        throw new IllegalArgumentException("Must provide --username with --password-stdin");
      }
      password = readStdin(System.in);
    }
    String address = CredentialStore.serverAddress(server);
    try (RegistryLogin login = global.login().build()) {
      Credential credential = credential(login, address);
      RegistryLogin.Result result = login.login(address, credential);
      if (result.helper().isEmpty()) {
        err.println("WARNING! Your credentials are stored unencrypted in '"
            + login.credentialStore().configFile() + "'.");
        err.println("Configure a credential helper to remove this warning. See");
        err.println("https://docs.docker.com/go/credential-store/");
        err.println();
        err.flush();
      }
    }
    out.println("Login Succeeded");
    out.flush();
    return 0;
  }

  /** The user name and password given, asking on the console for what is missing, as docker does. */
  private Credential credential(RegistryLogin login, String address) {
    String user = username.trim();
    if (!user.isEmpty() && !password.isBlank()) {
      return Credential.basic(user, password);
    }
    Console console = System.console();
    if (console == null) {
      throw new IllegalArgumentException("Cannot perform an interactive login from a non TTY device");
    }
    if (user.isEmpty()) {
      String stored = storedUsername(login, address);
      if (address.equals(CredentialStore.DOCKER_HUB_SERVER)) {
        console.printf("Log in with your Docker ID or email address to push and pull images from"
            + " Docker Hub. If you don't have a Docker ID, head over to https://hub.docker.com/ to"
            + " create one.%n");
      }
      String typed = stored.isEmpty()
          ? console.readLine("Username: ")
          : console.readLine("Username (%s): ", stored);
      user = typed == null || typed.isBlank() ? stored : typed.trim();
      if (user.isEmpty()) {
        throw new IllegalArgumentException("username is required");
      }
    }
    String secret = password;
    if (secret.isBlank()) {
      char[] typed = console.readPassword("Password: ");
      if (typed == null || typed.length == 0) {
        throw new IllegalArgumentException("password is required");
      }
      secret = new String(typed);
      Arrays.fill(typed, '\0');
    }
    return Credential.basic(user, secret);
  }

  /** The user name stored for the server, offered as the default; empty if none or unreadable. */
  private static String storedUsername(RegistryLogin login, String address) {
    try {
      return login.credentialStore()
          .lookup(CredentialStore.registry(address))
          .map(Credential::username)
          .orElse("");
    } catch (IOException e) {
      return ""; // a broken helper shows when the credential is stored
    }
  }

  /** All of stdin, less one trailing newline (and a carriage return before it), as docker reads it. */
  static String readStdin(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_STDIN + 1);
    if (bytes.length > MAX_STDIN) {
      throw new IllegalArgumentException("--password-stdin: more than " + MAX_STDIN + " bytes on stdin");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    return text;
  }
}
