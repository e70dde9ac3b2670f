package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** images, inspect, tag, rmi, image prune, system prune, gc and verify on a store of real pulls. */
class StoreCommandsIT {
  @TempDir static Path fixtures;
  @TempDir Path work;
  static LocalRegistry registry;
  static TestImages.SharedBase shared;
  static String first;
  static String second;
  static String firstConfig;
  static String secondConfig;
  String store;

  @BeforeAll
  static void pushImages() throws IOException {
    registry = LocalRegistry.anonymous();
    shared = TestImages.sharingBase(fixtures);
    registry.push(shared.first(), "team/first", "v1");
    registry.push(shared.second(), "team/second", "v1");
    first = registry.host() + "/team/first:v1";
    second = registry.host() + "/team/second:v1";
    firstConfig = shared.first().configDigest();
    secondConfig = shared.second().configDigest();
  }

  @AfterAll
  static void stop() throws IOException {
    registry.close();
  }

  @BeforeEach
  void pull() {
    store = work.resolve("store").toString();
    for (String ref : List.of(first, second)) {
      CliRun run = CliRun.of("pull", "-q", "--store", store, ref);
      assertThat(run.exitCode()).as(run.err()).isZero();
    }
  }

  private CliRun hoist(String... args) {
    String[] withStore = new String[args.length + 2];
    System.arraycopy(args, 0, withStore, 0, args.length);
    withStore[args.length] = "--store";
    withStore[args.length + 1] = store;
    return CliRun.of(withStore);
  }

  private static String shortId(String configDigest) {
    return configDigest.substring(7, 19);
  }

  @Test
  void imagesListsEveryTagInDockersColumns() throws IOException {
    CliRun run = hoist("images");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines.get(0)).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE");
    assertThat(lines).hasSize(3);
    assertThat(lines).anyMatch(l -> l.matches("\\Q" + registry.host() + "/team/first\\E +v1 +"
        + shortId(firstConfig) + " +.+ ago +[0-9.]+[kM]?B"));
    assertThat(hoist("images", "-q").outLines()).containsExactlyInAnyOrder(
        shortId(firstConfig), shortId(secondConfig));
    assertThat(hoist("images", registry.host() + "/team/second").outLines()).hasSize(2);
    assertThat(hoist("images", "--digests").outLines().get(1)).contains("sha256:");
    JsonNode json = new ObjectMapper().readTree(hoist("images", "--format", "json").outLines().get(0));
    assertThat(json.get("ID").asText()).hasSize(12);
    assertThat(json.get("Tag").asText()).isEqualTo("v1");
  }

  @Test
  void inspectPrintsDockersDocumentAndOneFieldOnRequest() throws IOException {
    CliRun run = hoist("inspect", first);

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode doc = new ObjectMapper().readTree(run.out());
    assertThat(doc).hasSize(1);
    assertThat(doc.get(0).get("Id").asText()).isEqualTo(firstConfig);
    assertThat(hoist("inspect", "--format", "{{.Id}}", first).outLines())
        .containsExactly(firstConfig);
    assertThat(hoist("inspect", "-f", "{{json .RootFS.Layers}}", first).out()).startsWith("[\"sha256:");

    CliRun missing = hoist("inspect", first, "nope:1");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().lines()).containsExactly("Error: No such image: nope:1");
    assertThat(new ObjectMapper().readTree(missing.out())).hasSize(1);
  }

  @Test
  void tagThenRmiUntagsAndDeletesOnlyWhatNoOtherImageUses() throws IOException {
    assertThat(hoist("tag", first, "example.org/copy:1").exitCode()).isZero();
    assertThat(hoist("images", "example.org/copy").outLines()).hasSize(2);

    CliRun untag = hoist("rmi", "example.org/copy:1");
    assertThat(untag.outLines()).containsExactly("Untagged: example.org/copy:1");

    CliRun remove = hoist("rmi", first);
    assertThat(remove.exitCode()).as(remove.err()).isZero();
    assertThat(remove.outLines()).startsWith(
        "Untagged: " + first, "Untagged: " + registry.host() + "/team/first@" + shared.first().manifestDigest(),
        "Deleted: " + firstConfig);
    assertThat(remove.outLines()).doesNotContain("Deleted: " + shared.first().layerDigests().get(0));
    assertThat(Path.of(store, "blobs/sha256", shared.first().layerDigests().get(0).substring(7))).exists();
    assertThat(hoist("verify").exitCode()).isZero();

    CliRun missing = hoist("rmi", first);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().lines()).containsExactly("Error: No such image: " + first);
  }

  @Test
  void rmiByIdOfAnImageInTwoRepositoriesNeedsForce() throws IOException {
    hoist("tag", first, "example.org/copy:1");
    String id = shortId(firstConfig);

    CliRun refused = hoist("rmi", id);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains("conflict: unable to delete " + id
        + " (must be forced) - image is referenced in multiple repositories");

    CliRun forced = hoist("rmi", "-f", id);
    assertThat(forced.exitCode()).as(forced.err()).isZero();
    assertThat(forced.outLines()).contains("Untagged: example.org/copy:1", "Deleted: " + firstConfig);
  }

  @Test
  void imagePruneRemovesDanglingImagesAndSystemPruneAndGcFreeTheRest() throws IOException {
    hoist("tag", second, first); // first's only tag moves: its image dangles
    Path partial = Path.of(store, ".hoist/ingest/sha256-" + "cd".repeat(32));
    Files.write(partial, new byte[2048]);

    CliRun prune = hoist("image", "prune", "-f");
    assertThat(prune.exitCode()).as(prune.err()).isZero();
    assertThat(prune.outLines()).startsWith("Deleted Images:",
        "untagged: " + registry.host() + "/team/first@" + shared.first().manifestDigest(),
        "deleted: " + firstConfig);
    assertThat(prune.outLines().get(prune.outLines().size() - 1)).matches("Total reclaimed space: [0-9.]+kB");
    assertThat(hoist("images", "-q").outLines()) // one line per tag, as docker prints them
        .containsExactly(shortId(secondConfig), shortId(secondConfig));

    CliRun gc = hoist("gc");
    assertThat(gc.exitCode()).as(gc.err()).isZero();
    assertThat(gc.outLines()).contains("Deleted 0 unreferenced blobs (0B) and 2.048kB of partial downloads");
    assertThat(partial).doesNotExist();

    CliRun system = hoist("system", "prune", "-f");
    assertThat(system.exitCode()).as(system.err()).isZero();
    assertThat(system.outLines()).containsExactly("Total reclaimed space: 0B");
    assertThat(hoist("verify").exitCode()).isZero();
  }

  @Test
  void verifyExitsNonZeroOnACorruptBlobAndRepairLeavesAStoreThatVerifies() throws IOException {
    String layer = shared.second().layerDigests().get(1);
    Path blob = Path.of(store, "blobs/sha256", layer.substring(7));
    blob.toFile().setWritable(true);
    Files.write(blob, "not the layer".getBytes());

    CliRun broken = hoist("verify");
    assertThat(broken.exitCode()).isEqualTo(1);
    assertThat(broken.err()).contains("ERROR: blob " + layer + " is corrupt");
    assertThat(broken.err()).contains("ERROR: image " + second + ": layer " + layer + " is corrupt");
    assertThat(broken.outLines()).as(broken.err()).last().asString().endsWith("2 problems found (fix with --repair)");
    assertThat(broken.err().lines()).hasSize(2); // the blob, and the image once whatever its names

    CliRun repair = hoist("verify", "--repair");
    assertThat(repair.exitCode()).isEqualTo(1);
    assertThat(repair.outLines()).contains("Removed blob " + layer, "Removed index entry " + second);
    assertThat(hoist("verify").exitCode()).isZero();
    assertThat(hoist("images", "-q").outLines()).containsExactly(shortId(firstConfig));
  }
}
