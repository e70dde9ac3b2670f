package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.config.ConfigFile;
import dev.hoist.config.HoistSettings;
import dev.hoist.registry.ProxySettings;
import dev.hoist.registry.RegistryClient;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> env = System.getenv();
    Path configPath = global.config != null ? global.config : ConfigFile.defaultPath();
    String configSource = global.config != null ? "--config"
        : env.containsKey(ConfigFile.ENVIRONMENT) ? "$" + ConfigFile.ENVIRONMENT : "default";
    HoistSettings file = global.settings();
    String fromFile = "configuration file";

    out.println("Configuration file: " + configPath + " (" + configSource
        + (Files.exists(configPath) ? "" : ", not found") + ")");
    out.println("Store: " + value(global.store, "--store",
        file.store().orElse(null), fromFile,
        Hoist.defaultStore(), env.containsKey("HOIST_HOME") ? "$HOIST_HOME"
            : env.containsKey("XDG_DATA_HOME") ? "$XDG_DATA_HOME" : "default"));
    out.println("Max concurrent downloads: " + value(null, "",
        file.maxConcurrentDownloads().isPresent() ? file.maxConcurrentDownloads().getAsInt() : null,
        fromFile, 3, "default") + " (pull --max-concurrent-downloads overrides)");
    out.println("Max download attempts: " + value(null, "",
        file.maxDownloadAttempts().isPresent() ? file.maxDownloadAttempts().getAsInt() : null,
        fromFile, 5, "default") + " (pull --max-download-attempts overrides)");
    List<String> insecure = new ArrayList<>();
    insecure.add("localhost, 127.0.0.0/8, ::1 (always, as in docker)");
    if (!global.insecureRegistries.isEmpty()) {
      insecure.add(String.join(", ", global.insecureRegistries) + " (--insecure-registry)");
    } else {
      file.insecureRegistries().ifPresent(r -> insecure.add(String.join(", ", r) + " (" + fromFile + ")"));
    }
    out.println("Insecure registries: " + String.join("; ", insecure));
    out.println("Registry mirrors (docker.io): " + file.registryMirrors()
        .map(m -> m.toString() + " (" + fromFile + ")").orElse("none"));
    out.println("Certificate directories: " + value(
        global.certsDirectories.isEmpty() ? null : global.certsDirectories, "--certs-dir",
        file.certsDirectories().orElse(null), fromFile,
        RegistryClient.DEFAULT_CERTS_DIRECTORIES, "default"));
    ProxySettings environment = ProxySettings.fromEnvironment();
    ProxySettings proxies = file.proxies().map(ProxySettings::of).orElse(environment);
    out.println("Proxies: " + (proxies.isEmpty() ? "none" : proxies.toString())
        + (file.proxies().isPresent() ? " (" + fromFile + ")"
            : proxies.isEmpty() ? "" : " (environment: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)"));
    out.println("Credentials: docker's config file ("
        + (env.get("DOCKER_CONFIG") != null ? "$DOCKER_CONFIG/config.json" : "~/.docker/config.json")
        + ") and its credential helpers");
    out.flush();
    return 0;
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
