package dev.hoist.cli;

import dev.hoist.auth.CredentialStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoist logout [SERVER]}: docker logout; the registry is not contacted. */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = {
      "Log out from a registry: remove its stored credentials.",
      "Defaults to Docker Hub if no server is specified."
    },
    footer = {
      "",
      "Examples:",
      "  hoist logout ghcr.io",
      "  hoist logout            (Docker Hub)"
    })
final class LogoutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--debug", description = "Log what hoist does and print stack traces of errors.")
  boolean debug;

  @Parameters(
      arity = "0..1",
      paramLabel = "SERVER",
      description = "The registry, host[:port] (default: Docker Hub).")
  String server = "";

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    String address = CredentialStore.serverAddress(server);
    boolean removed = CredentialStore.dockerConfig().erase(address); // no registry to contact
    out.println((removed ? "Removing login credentials for " : "Not logged in to ") + address);
    out.flush();
    return 0;
  }
}
