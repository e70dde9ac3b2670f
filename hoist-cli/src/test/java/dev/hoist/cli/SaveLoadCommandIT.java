package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist save} and {@code hoist load}, in process and as the packaged jar with redirects. */
class SaveLoadCommandIT {
  @TempDir static Path fixtures;
  @TempDir static Path pulled;
  @TempDir Path work;
  static LocalRegistry registry;
  static OciLayoutImage image;
  static String name;

  @BeforeAll
  static void pullAnImage() throws IOException {
    registry = LocalRegistry.anonymous();
    image = TestImages.multiLayer(fixtures);
    registry.push(image, "team/app", "v1");
    name = registry.host() + "/team/app:v1";
    CliRun pull = CliRun.of("pull", "-q", "--store", pulled.toString(), name);
    assertThat(pull.exitCode()).as(pull.err()).isZero();
  }

  @AfterAll
  static void stopRegistry() throws IOException {
    registry.close();
  }

  @Test
  void savesToAFileThatLoadsIntoAnotherStoreWithDockersLines() throws IOException {
    Path archive = work.resolve("app.tar");

    CliRun save = CliRun.of("save", "--store", pulled.toString(), "-o", archive.toString(), name);
    CliRun load = CliRun.of("load", "--store", work.resolve("store").toString(), "-i", archive.toString());

    assertThat(save.exitCode()).as(save.err()).isZero();
    assertThat(save.out()).isEmpty();
    assertThat(load.exitCode()).as(load.err()).isZero();
    List<String> ids = image.layerDiffIds().stream().map(d -> d.substring(7, 19)).toList();
    List<String> lines = load.outLines();
    assertThat(lines).hasSize(ids.size() + 1);
    for (int i = 0; i < ids.size(); i++) {
      assertThat(lines.get(i)).matches(ids.get(i) + ": Loading layer \\[=+>\\] +\\S+/\\S+");
    }
    assertThat(lines.get(ids.size())).isEqualTo("Loaded image: " + name);
    assertThat(Tools.run(List.of("skopeo", "inspect", "oci:" + work.resolve("store") + ":" + name), work))
        .contains(image.layerDigests().get(0));
  }

  @Test
  void quietLoadPrintsOnlyTheLoadedImages() throws IOException {
    Path archive = work.resolve("app.tar");
    CliRun.of("save", "--store", pulled.toString(), "-o", archive.toString(), name);

    CliRun load = CliRun.of("load", "-q", "--store", work.resolve("store").toString(), "-i", archive.toString());

    assertThat(load.exitCode()).as(load.err()).isZero();
    assertThat(load.outLines()).containsExactly("Loaded image: " + name);
  }

  @Test
  void theJarSavesToARedirectedStdoutTheBytesItWritesWithDashO() throws Exception {
    Path file = work.resolve("file.tar");
    Path stdout = work.resolve("stdout.tar");
    assertThat(CliRun.of("save", "--store", pulled.toString(), "-o", file.toString(), name).exitCode()).isZero();

    Process save = jar(List.of("save", "--store", pulled.toString(), name))
        .redirectOutput(stdout.toFile())
        .redirectError(work.resolve("save.err").toFile())
        .start();

    assertThat(save.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(save.exitValue()).as(Files.readString(work.resolve("save.err"))).isZero();
    assertThat(Files.mismatch(stdout, file)).as("same archive").isEqualTo(-1);
  }

  @Test
  void theJarLoadsFromStdinAndDeletesItsSpool() throws Exception {
    Path archive = work.resolve("app.tar");
    CliRun.of("save", "--store", pulled.toString(), "-o", archive.toString(), name);
    Path store = work.resolve("store");

    Process load = jar(List.of("load", "-q", "--store", store.toString()))
        .redirectInput(archive.toFile())
        .redirectOutput(work.resolve("load.out").toFile())
        .redirectError(work.resolve("load.err").toFile())
        .start();

    assertThat(load.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(load.exitValue()).as(Files.readString(work.resolve("load.err"))).isZero();
    assertThat(Files.readAllLines(work.resolve("load.out"))).containsExactly("Loaded image: " + name);
    try (Stream<Path> left = Files.list(store.resolve(".hoist"))) {
      assertThat(left.filter(p -> p.toString().endsWith(".tmp")).toList()).as("spool removed").isEmpty();
    }
  }

  @Test
  void aMissingImageIsDockersErrorExitsOneAndWritesNoFile() {
    Path archive = work.resolve("none.tar");

    CliRun save = CliRun.of("save", "--store", pulled.toString(), "-o", archive.toString(), name, "nope:1.0");

    assertThat(save.exitCode()).isEqualTo(1);
    assertThat(save.err().lines()).containsExactly("Error: No such image: nope:1.0");
    assertThat(work.toFile().list()).isEmpty();
  }

  @Test
  void anInvalidReferenceIsAUsageError() {
    CliRun save = CliRun.of("save", "--store", pulled.toString(), "-o", work.resolve("x.tar").toString(), "Nope");

    assertThat(save.exitCode()).isEqualTo(2);
    assertThat(save.err()).startsWith("Error: invalid reference format");
  }

  @Test
  void aBrokenArchiveFailsWithOneSentenceAndTagsNothing() throws IOException {
    Path archive = Files.writeString(work.resolve("broken.tar"), "not a tar at all");
    Path store = work.resolve("store");

    CliRun load = CliRun.of("load", "--store", store.toString(), "-i", archive.toString());

    assertThat(load.exitCode()).isEqualTo(1);
    assertThat(load.err().lines()).hasSize(1).allMatch(l -> l.startsWith("Error: "));
    assertThat(Files.readString(store.resolve("index.json"))).contains("\"manifests\":[]");
  }

  @Test
  void refusesToWriteAnArchiveToATerminal() throws Exception {
    String session = "hoist-save-" + ProcessHandle.current().pid();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String command = java + " -jar " + System.getProperty("hoist.jar") + " save --store " + pulled
        + " " + name + "; echo EXIT=$?; sleep 60";
    Tools.run(List.of("tmux", "new-session", "-d", "-x", "150", "-y", "20", "-s", session, command), work);
    try {
      String screen = "";
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (!screen.contains("EXIT=") && System.nanoTime() < deadline) {
        Thread.sleep(200);
        screen = Tools.run(List.of("tmux", "capture-pane", "-p", "-t", session), work);
      }

      assertThat(screen).contains(
          "Error: cowardly refusing to save to a terminal. Use the -o flag or redirect", "EXIT=2");
    } finally {
      new ProcessBuilder("tmux", "kill-session", "-t", session).start().waitFor();
    }
  }

  @Test
  void helpShowsExamples() {
    assertThat(CliRun.of("save", "--help").out()).contains("Examples:", "hoist save -o busybox.tar busybox");
    assertThat(CliRun.of("load", "--help").out()).contains("Examples:", "hoist load -i busybox.tar");
  }

  private static ProcessBuilder jar(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", System.getProperty("hoist.jar")));
    cmd.addAll(args);
    return new ProcessBuilder(cmd);
  }
}
