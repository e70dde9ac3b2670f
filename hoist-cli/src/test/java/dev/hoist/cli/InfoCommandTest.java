package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist info} and the configuration file under it: what wins, and what is refused. */
class InfoCommandTest {
  @TempDir Path dir;

  private Path config(String json) throws IOException {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  @Test
  void showsEachSettingWithTheFileOrFlagItComesFrom() throws IOException {
    Path file = config("""
        {"registry-mirrors": ["https://mirror.example.com"], "max-download-attempts": 2,
         "store": "images", "proxies": {"https-proxy": "http://proxy.example.com:3128"}}
        """);

    CliRun run = CliRun.of("info", "--config", file.toString(), "--store", dir.resolve("flag").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).contains(
        "Configuration file: " + file + " (--config)",
        "Store: " + dir.resolve("flag") + " (--store)",
        "Max download attempts: 2 (configuration file) (pull --max-download-attempts overrides)",
        "Registry mirrors (docker.io): [https://mirror.example.com/] (configuration file)",
        "Endpoints of docker.io, in the order they are tried:");
    assertThat(run.out()).contains("1. https://mirror.example.com/v2 (mirror");
    assertThat(run.out()).contains("2. https://registry-1.docker.io/v2 (upstream");
    assertThat(run.out()).contains("Proxies: ").contains("proxy.example.com:3128").contains("(configuration file)");
  }

  @Test
  void aBadConfigurationFileStopsEveryCommandNamingTheKey() throws IOException {
    Path file = config("{\"max-concurrent-downloads\": 0, \"registry-mirror\": []}");

    CliRun run = CliRun.of("images", "--config", file.toString(), "--store", dir.resolve("s").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines()).containsExactly("Error: configuration file " + file
        + ": the following directives don't match any configuration option: registry-mirror");
  }

  @Test
  void aMissingFileNamedByConfigIsAnError() {
    CliRun run = CliRun.of("info", "--config", dir.resolve("absent.json").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("configuration file " + dir.resolve("absent.json") + " does not exist");
  }
}
