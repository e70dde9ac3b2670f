package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist pull --hosts-dir} with a mirror that is down: the fallback shows, or the pull fails. */
class MirrorCommandIT {
  @TempDir static Path fixtures;
  static LocalRegistry registry;
  static LocalRegistry mirror;
  static Path hostsDir;
  static Path registriesConf;

  @TempDir Path store;

  @BeforeAll
  static void start() throws IOException {
    registry = LocalRegistry.anonymous();
    OciLayoutImage image = TestImages.multiLayer(fixtures);
    registry.push(image, "team/app", "v1");
    mirror = LocalRegistry.pullThroughCache(registry);
    mirror.stop();
    hostsDir = fixtures.resolve("certs.d");
    Path hostDir = Files.createDirectories(hostsDir.resolve(registry.host()));
    Files.writeString(hostDir.resolve("hosts.toml"),
        "[host.\"http://" + mirror.host() + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
    registriesConf = Files.writeString(fixtures.resolve("registries.conf"), "");
  }

  @AfterAll
  static void stop() throws IOException {
    mirror.close();
    registry.close();
  }

  private CliRun pull(String... options) {
    String[] args = new String[options.length + 9];
    System.arraycopy(new String[] {"pull", "--progress", "plain", "--store", store.toString(),
        "--hosts-dir", hostsDir.toString(), "--registries-conf", registriesConf.toString()}, 0, args, 0, 9);
    System.arraycopy(options, 0, args, 9, options.length);
    return CliRun.of(args);
  }

  @Test
  void aFallbackFromAStoppedMirrorIsPrintedAsAWarning() {
    CliRun run = pull(registry.host() + "/team/app:v1");

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines()).filteredOn(l -> l.startsWith("WARNING: "))
        .singleElement().asString()
        .startsWith("WARNING: mirror http://" + mirror.host() + " of " + registry.host() + " failed: ")
        .endsWith("; falling back to http://" + registry.host());
    assertThat(run.outLines()).last().isEqualTo(registry.host() + "/team/app:v1");
  }

  @Test
  void withoutFallbackThePullFailsNamingTheMirror() {
    CliRun run = pull("--no-mirror-fallback", registry.host() + "/team/app:v1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("Error: mirror http://" + mirror.host() + " of " + registry.host()
        + " failed: cannot reach registry " + mirror.host())
        .contains("(mirror fallback is off)");
  }

  @Test
  void aMissingHostsDirectoryIsOneSentence() {
    CliRun run = CliRun.of("pull", "--store", store.toString(), "--hosts-dir",
        fixtures.resolve("nowhere").toString(), registry.host() + "/team/app:v1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("Error: " + fixtures.resolve("nowhere") + ": not a directory\n");
  }
}
