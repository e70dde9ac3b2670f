package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist pull} against the real registry: docker's lines, docker's order. */
class PullCommandIT {
  @TempDir static Path fixtures;
  @TempDir Path store;
  static LocalRegistry registry;
  static OciLayoutImage image;
  static String digest;

  @BeforeAll
  static void pushImage() throws IOException {
    registry = LocalRegistry.anonymous();
    image = TestImages.multiLayer(fixtures);
    digest = registry.push(image, "team/app", "latest");
    for (String tag : List.of("1.0", "1.1", "2.0")) {
      registry.push(image, "team/all", tag);
    }
  }

  @AfterAll
  static void stopRegistry() throws IOException {
    registry.close();
  }

  @Test
  void printsDockersLinesInDockersOrder() throws IOException {
    String name = registry.host() + "/team/app";

    CliRun run = CliRun.of("pull", "--store", store.toString(), name);

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    List<String> expected = new java.util.ArrayList<>();
    expected.add("Using default tag: latest");
    expected.add("latest: Pulling from team/app");
    for (String layer : image.layerDigests()) {
      expected.add(layer.substring(7, 19) + ": Pull complete");
    }
    expected.add("Digest: " + digest);
    expected.add("Status: Downloaded newer image for " + name + ":latest");
    expected.add(name + ":latest");
    assertThat(run.outLines()).containsExactlyElementsOf(expected);
  }

  @Test
  void aSecondPullSaysUpToDate() {
    String name = registry.host() + "/team/app:latest";
    CliRun.of("pull", "--store", store.toString(), name);

    CliRun run = CliRun.of("pull", "--store", store.toString(), name);

    assertThat(run.outLines())
        .containsExactly(
            "latest: Pulling from team/app",
            "Digest: " + digest,
            "Status: Image is up to date for " + name,
            name);
  }

  @Test
  void quietPrintsOnlyTheReference() {
    String name = registry.host() + "/team/app@" + digest;

    CliRun run = CliRun.of("pull", "-q", "--store", store.toString(), name);

    assertThat(run.outLines()).containsExactly(name);
  }

  @Test
  void anInvalidReferenceIsOneSentenceAndWritesNothing() {
    Path untouched = store.resolve("never-created");

    CliRun run = CliRun.of("pull", "--store", untouched.toString(), "Busybox");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines())
        .containsExactly("Error: invalid reference format: repository name (library/Busybox) must be lowercase");
    assertThat(untouched).doesNotExist();
  }

  @Test
  void aMissingTagIsOneSentenceOnStderrAndExitsNonZero() throws IOException {
    String name = registry.host() + "/team/app:nope";

    CliRun run = CliRun.of("pull", "--store", store.toString(), name);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines())
        .containsExactly("Error: manifest for " + name + " not found: manifest unknown: manifest unknown");
    assertThat(Files.readString(store.resolve("index.json"))).contains("\"manifests\":[]");
  }

  @Test
  void aMissingArgumentPrintsUsageHelp() {
    CliRun run = CliRun.of("pull");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required parameter").contains("hoist pull --help");
  }

  @Test
  void allTagsPullsEveryTagAndReportsOnce() throws IOException {
    String name = registry.host() + "/team/all";

    CliRun run = CliRun.of("pull", "--all-tags", "--store", store.toString(), name);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines())
        .filteredOn(l -> l.contains(": Pulling from team/all"))
        .containsExactlyInAnyOrder(
            "1.0: Pulling from team/all", "1.1: Pulling from team/all", "2.0: Pulling from team/all");
    assertThat(run.outLines()).doesNotContain("Using default tag: latest");
    List<String> lines = run.outLines();
    assertThat(lines.subList(lines.size() - 2, lines.size()))
        .containsExactly("Status: Downloaded newer image for " + name, name);
    for (String tag : List.of("1.0", "1.1", "2.0")) {
      assertThat(Files.readString(store.resolve("index.json"))).contains(name + ":" + tag);
    }
  }

  @Test
  void allTagsRefusesATaggedReference() {
    CliRun run = CliRun.of("pull", "-a", "--store", store.toString(), registry.host() + "/team/all:1.0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Error: tag can't be used with --all-tags/-a");
  }
}
