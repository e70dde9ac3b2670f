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
  void printsDockersLogLinesInDockersOrder() throws IOException {
    String name = registry.host() + "/team/app";

    CliRun run = CliRun.of("pull", "--progress", "plain", "--store", store.toString(), name);

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    List<String> lines = run.outLines();
    List<String> ids = image.layerDigests().stream().map(d -> d.substring(7, 19)).toList();
    assertThat(lines.stream().filter(l -> !ids.contains(l.split(":")[0])).toList())
        .containsExactly(
            "Using default tag: latest",
            "latest: Pulling from team/app",
            "Digest: " + digest,
            "Status: Downloaded newer image for " + name + ":latest",
            name + ":latest");
    for (String id : ids) {
      assertThat(lines.stream().filter(l -> l.startsWith(id + ": ")).toList())
          .as("layer %s goes through docker's states once each", id)
          .containsSubsequence(id + ": Pulling fs layer", id + ": Verifying Checksum",
              id + ": Download complete", id + ": Pull complete")
          .doesNotHaveDuplicates()
          .noneMatch(l -> l.contains("\u001b") || l.contains("Downloading"));
    }
    assertThat(lines.stream().filter(l -> l.endsWith(": Pull complete")).toList())
        .as("layers complete in order")
        .containsExactlyElementsOf(ids.stream().map(id -> id + ": Pull complete").toList());
  }

  @Test
  void jsonProgressSpeaksTheDockerEngineApi() throws IOException {
    String name = registry.host() + "/team/app:latest";

    CliRun run = CliRun.of("pull", "--progress", "json", "--store", store.toString(), name);

    assertThat(run.exitCode()).isZero();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<com.fasterxml.jackson.databind.JsonNode> messages = new java.util.ArrayList<>();
    for (String line : run.outLines()) {
      messages.add(json.readTree(line));
    }
    assertThat(messages).allSatisfy(m -> assertThat(m.has("status")).isTrue());
    assertThat(messages.get(0).path("status").asText()).isEqualTo("Pulling from team/app");
    assertThat(messages.get(0).path("id").asText()).isEqualTo("latest");
    assertThat(messages).filteredOn(m -> m.path("status").asText().equals("Downloading"))
        .isNotEmpty()
        .allSatisfy(m -> {
          assertThat(m.path("progressDetail").path("total").asLong()).isPositive();
          assertThat(m.path("progress").asText()).contains("/");
          assertThat(m.path("id").asText()).hasSize(12);
        });
    for (String layer : image.layerDigests()) {
      assertThat(messages)
          .filteredOn(m -> m.path("id").asText().equals(layer.substring(7, 19))
              && m.path("status").asText().equals("Pull complete"))
          .hasSize(1);
    }
    assertThat(messages.get(messages.size() - 1).path("status").asText())
        .isEqualTo("Status: Downloaded newer image for " + name);
  }

  @Test
  void jsonProgressReportsErrorsAsDockerDoes() throws IOException {
    CliRun run = CliRun.of("pull", "--progress", "json", "--store", store.toString(),
        registry.host() + "/team/app:nope");

    assertThat(run.exitCode()).isEqualTo(1);
    com.fasterxml.jackson.databind.JsonNode last = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(run.outLines().get(run.outLines().size() - 1));
    assertThat(last.path("error").asText()).contains("manifest unknown");
    assertThat(last.path("errorDetail").path("message").asText()).isEqualTo(last.path("error").asText());
  }

  @Test
  void aSecondPullSaysUpToDate() {
    String name = registry.host() + "/team/app:latest";
    CliRun.of("pull", "--store", store.toString(), name);

    CliRun run = CliRun.of("pull", "--progress", "plain", "--store", store.toString(), name);

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
