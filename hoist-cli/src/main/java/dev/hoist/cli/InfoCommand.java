package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.auth.CredentialStore;
import dev.hoist.config.ConfigFile;
import dev.hoist.config.HoistSettings;
import dev.hoist.hosts.Endpoint;
import dev.hoist.registry.ProxySettings;
import dev.hoist.registry.RegistryClient;
import dev.hoist.registry.RetryPolicy;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoist info}: the effective configuration and where each setting comes from. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = {
      "Show the effective configuration and where each setting comes from.",
      "Precedence: command-line flags, then the configuration file, then the environment,",
      "then hoist's defaults."
    },
    footer = {"", "Examples:", "  hoist info", "  hoist info --config ./ci-hoist.json"})
final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Parameters(arity = "0..*", paramLabel = "REGISTRY",
      description = "Registries whose endpoints to list (default: docker.io).")
  List<String> registries = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path configPath = global.config != null ? global.config : ConfigFile.defaultPath();
    String configSource =
        global.config != null ? "--config" : source(ConfigFile.defaultPathVariable());
    HoistSettings file = global.settings();
    String fromFile = "configuration file";

    out.println("Configuration file: " + configPath + " (" + configSource
        + (Files.exists(configPath) ? "" : ", not found") + ")");
    out.println("Store: " + value(global.store, "--store",
        file.store().orElse(null), fromFile,
        Hoist.defaultStore(), source(Hoist.defaultStoreVariable())));
    out.println("Max concurrent downloads: " + value(null, "",
        file.maxConcurrentDownloads().isPresent() ? file.maxConcurrentDownloads().getAsInt() : null,
        fromFile, Hoist.DEFAULT_MAX_CONCURRENT_DOWNLOADS, "default")
        + " (pull --max-concurrent-downloads overrides)");
    out.println("Max download attempts: " + value(null, "",
        file.maxDownloadAttempts().isPresent() ? file.maxDownloadAttempts().getAsInt() : null,
        fromFile, RetryPolicy.DEFAULT.maxAttempts(), "default")
        + " (pull --max-download-attempts overrides)");
    List<String> insecure = new ArrayList<>();
    insecure.add("localhost, 127.0.0.0/8, ::1 (always, as in docker)");
    if (!global.insecureRegistries.isEmpty()) {
      insecure.add(String.join(", ", global.insecureRegistries) + " (--insecure-registry)");
    } else {
      file.insecureRegistries().ifPresent(r -> insecure.add(String.join(", ", r) + " (" + fromFile + ")"));
    }
    out.println("Insecure registries: " + String.join("; ", insecure));
    out.println("Registry mirrors (docker.io): " + value(
        global.registryMirrors.isEmpty() ? null : global.registryMirrors, "--registry-mirror",
        file.registryMirrors().orElse(null), fromFile, "none", "default"));
    out.println("Certificate directories: " + value(
        global.certsDirectories.isEmpty() ? null : global.certsDirectories, "--certs-dir",
        file.certsDirectories().orElse(null), fromFile,
        RegistryClient.DEFAULT_CERTS_DIRECTORIES, "default"));
    ProxySettings environment = ProxySettings.fromEnvironment();
    ProxySettings proxies = file.proxies().map(ProxySettings::of).orElse(environment);
    out.println("Proxies: " + (proxies.isEmpty() ? "none" : proxies.toString())
        + (file.proxies().isPresent() ? " (" + fromFile + ")"
            : proxies.isEmpty() ? "" : " (environment: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)"));
    out.println("Hosts directory: " + value(global.hostsDir, "--hosts-dir",
        file.hostsDirectory().orElse(null), fromFile, "/etc/containerd/certs.d (if it exists)", "default"));
    out.println("registries.conf: " + value(global.registriesConf, "--registries-conf",
        file.registriesConf().orElse(null), fromFile,
        "$CONTAINERS_REGISTRIES_CONF, ~/.config/containers/registries.conf or"
            + " /etc/containers/registries.conf (with registries.conf.d)", "default"));
    out.println("Mirror fallback: " + value(global.mirrorFallback, "--[no-]mirror-fallback",
        file.mirrorFallback().orElse(null), fromFile, true, "default"));
    String dockerConfig = CredentialStore.dockerConfigVariable().map(v -> "$" + v).orElse("~/.docker");
    out.println("Credentials: docker's config file (" + dockerConfig + "/config.json)"
        + " and its credential helpers");
    try (Hoist hoist = global.hoist().build()) {
      for (String registry : registries.isEmpty() ? List.of("docker.io") : registries) {
        out.println("Endpoints of " + registry + ", in the order they are tried:");
        int n = 1;
        for (Endpoint e : hoist.endpoints(registry)) {
          out.println("  " + n++ + ". " + e.root() + " (" + (e.mirror() ? "mirror" : "upstream")
              + ", " + e.capabilities().stream().map(c -> c.name().toLowerCase(java.util.Locale.ROOT))
                  .sorted().reduce((x, y) -> x + "+" + y).orElse("none")
              + (e.insecure() ? ", insecure" : e.skipVerify() ? ", skip_verify" : "")
              + "; " + e.source() + ")");
        }
      }
    }
    out.flush();
    return 0;
  }

  /** An environment variable that chose a default, as {@code $NAME}; else {@code default}. */
  private static String source(Optional<String> variable) {
    return variable.map(name -> "$" + name).orElse("default");
  }

  /** The first value that is set, with its source. */
  private static String value(Object flag, String flagSource, Object file, String fileSource,
      Object fallback, String fallbackSource) {
    if (flag != null) {
      return flag + " (" + flagSource + ")";
    }
    if (file != null) {
      return file + " (" + fileSource + ")";
    }
    return fallback + " (" + fallbackSource + ")";
  }
}
