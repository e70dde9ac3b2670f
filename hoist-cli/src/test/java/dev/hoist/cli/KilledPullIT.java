package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.Hoist;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.pull.PullListener;
import dev.hoist.pull.PullRequest;
import dev.hoist.pull.PullResult;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull killed with SIGKILL in the middle of a large layer leaves a store that the next pull
 * resumes: it fetches only the rest of the layer, and every blob and the index come out whole. One
 * killed while unpacking leaves no root filesystem, and the next removes what it left; one stopped
 * (Ctrl-C, SIGTERM) removes it itself.
 */
class KilledPullIT {
  private static final long LAYER_SIZE = 512L << 20;
  private static final long KILL_AT = 100L << 20;
  private static final int SIGKILL_EXIT = 128 + 9;

  @Test
  void aPullKilledMidLayerIsResumedByTheNextPull(@TempDir Path work) throws Exception {
    OciLayoutImage image = TestImages.largeLayer(work.resolve("fixture"), LAYER_SIZE);
    String layer = image.layerDigests().get(0);
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      String digest = registry.push(image, "big/layer", "v1");
      Path store = work.resolve("store");
      String ref = registry.host() + "/big/layer:v1";
      Path ingest = store.resolve(".hoist/ingest/sha256-" + layer.substring(7));

      long killedAt = killPullOnceIngestPasses(store, ref, ingest, work.resolve("pull.log"));

      assertThat(killedAt).isGreaterThanOrEqualTo(KILL_AT).isLessThan(LAYER_SIZE);
      assertThat(store.resolve("blobs/sha256/" + layer.substring(7))).doesNotExist();
      PullResult result;
      try (Hoist hoist =
          Hoist.builder().store(store).credentials(CredentialProvider.anonymous()).build()) {
        result = hoist.pull(PullRequest.of(ref), PullListener.NONE);
      }

      assertThat(result.digest().toString()).isEqualTo(digest);
      assertThat(result.bytesDownloaded())
          .as("resumed from the %d bytes the killed pull left", killedAt)
          .isLessThan(LAYER_SIZE)
          .isLessThanOrEqualTo(LAYER_SIZE - killedAt + (1 << 20));
      assertEveryBlobHashesToItsName(store);
      JsonNode index = new ObjectMapper().readTree(store.resolve("index.json").toFile());
      assertThat(index.path("manifests").findValuesAsText("org.opencontainers.image.ref.name"))
          .contains(ref);
      String inspected = Tools.run(List.of("skopeo", "inspect", "oci:" + store + ":" + ref), work);
      assertThat(inspected).contains("\"Digest\": \"" + digest + "\"");
      assertThat(ingest).doesNotExist();
    }
  }

  @Test
  void aStoppedPullSaysSoAndKeepsItsPartialForTheNextPull(@TempDir Path work) throws Exception {
    OciLayoutImage image = TestImages.largeLayer(work.resolve("fixture"), LAYER_SIZE);
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      registry.push(image, "big/stopped", "v1");
      String ref = registry.host() + "/big/stopped:v1";
      Path store = work.resolve("store");
      String layer = image.layerDigests().get(0);
      Path ingest = store.resolve(".hoist/ingest/sha256-" + layer.substring(7));

      long kept = stopPullOnceIngestPasses(store, ref, ingest, work.resolve("pull.log"), true);

      assertThat(Files.readString(work.resolve("pull.log")))
          .contains("Error: pull cancelled; partial downloads are kept and the next pull resumes them");
      assertThat(kept).isGreaterThanOrEqualTo(KILL_AT);
      assertThat(Files.readString(store.resolve("index.json"))).doesNotContain("big/stopped");
    }
  }

  @Test
  void anUnpackingPullKilledMidLayerLeavesNoRootfsAndTheNextCleansUpAfterIt(@TempDir Path work)
      throws Exception {
    OciLayoutImage image = TestImages.largeLayer(work.resolve("fixture"), LAYER_SIZE);
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      registry.push(image, "big/unpacked", "v1");
      String ref = registry.host() + "/big/unpacked:v1";
      Path store = work.resolve("store");
      Path rootfs = work.resolve("out/rootfs");
      Path log = work.resolve("pull.log");
      Process process =
          hoist(log, "pull", "--store", store.toString(), "--unpack", rootfs.toString(), ref);
      try {
        awaitExtracted(process, rootfs, log);
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        process.destroyForcibly();
      }
      assertThat(rootfs).as("no half root filesystem under the target's name").doesNotExist();
      assertThat(hidden(rootfs)).as("the killed pull's work directory").isNotEmpty();

      Process again =
          hoist(log, "pull", "-q", "--store", store.toString(), "--unpack", rootfs.toString(), ref);
      assertThat(again.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(again.exitValue()).as(Files.readString(log)).isZero();
      assertThat(rootfs.resolve("data/random.bin")).hasSize(LAYER_SIZE);
      assertThat(hidden(rootfs)).as("work directories and locks left").isEmpty();
    }
  }

  @Test
  void aStoppedUnpackRemovesWhatItHadUnpackedAndSaysSo(@TempDir Path work) throws Exception {
    OciLayoutImage image = TestImages.largeLayer(work.resolve("fixture"), LAYER_SIZE);
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      registry.push(image, "big/stopped-unpack", "v1");
      String ref = registry.host() + "/big/stopped-unpack:v1";
      Path store = work.resolve("store");
      try (Hoist hoist =
          Hoist.builder().store(store).credentials(CredentialProvider.anonymous()).build()) {
        hoist.pull(PullRequest.of(ref), PullListener.NONE);
      }
      Path rootfs = work.resolve("out/rootfs");
      Path log = work.resolve("unpack.log");
      Process process = hoist(log, "unpack", "--store", store.toString(), ref, rootfs.toString());
      try {
        awaitExtracted(process, rootfs, log);
        process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: shutdown hooks run
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("stopped by SIGTERM").isEqualTo(128 + 15);
      } finally {
        process.destroyForcibly();
      }

      assertThat(Files.readString(log))
          .contains("Error: unpack cancelled; nothing was left in " + rootfs);
      assertThat(rootfs).doesNotExist();
      assertThat(hidden(rootfs)).as("work directories and locks left").isEmpty();
    }
  }

  /** Starts hoist in a child JVM, its output and errors going to {@code log}. */
  private static Process hoist(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", System.getProperty("hoist.jar")));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Waits until {@code process} has extracted {@link #KILL_AT} bytes of the large layer. */
  private static void awaitExtracted(Process process, Path rootfs, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (extracted(rootfs) < KILL_AT) {
      assertThat(process.isAlive()).as("hoist running; log:%n%s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("100 MiB extracted within 3 min").isLessThan(deadline);
      Thread.sleep(20); // the layer is 512 MiB: the kill lands well inside it
    }
  }

  /** Bytes of the large layer's one file in the unpack's hidden work directory so far. */
  private static long extracted(Path rootfs) throws IOException {
    for (Path work : hidden(rootfs)) {
      try {
        return Files.size(work.resolve("data/random.bin"));
      } catch (FileSystemException e) { // no such file, or a lock file: not a directory
        // not written yet, or already cleaned up
      }
    }
    return 0;
  }

  /** The entries next to {@code rootfs} that an unpack into it makes while it works. */
  private static List<Path> hidden(Path rootfs) throws IOException {
    if (!Files.isDirectory(rootfs.getParent())) {
      return List.of();
    }
    try (Stream<Path> siblings = Files.list(rootfs.getParent())) {
      return siblings
          .filter(p -> p.getFileName().toString().startsWith("." + rootfs.getFileName() + ".hoist-"))
          .toList();
    }
  }

  /**
   * Runs {@code hoist pull} in a child JVM, kills it with SIGKILL once {@code ingest} holds at
   * least {@link #KILL_AT} bytes, and returns the ingest's size after the kill.
   */
  private static long killPullOnceIngestPasses(Path store, String ref, Path ingest, Path log)
      throws Exception {
    return stopPullOnceIngestPasses(store, ref, ingest, log, false);
  }

  /** As above, with SIGTERM (what Ctrl-C's SIGINT also triggers: the JVM's shutdown hooks). */
  private static long stopPullOnceIngestPasses(
      Path store, String ref, Path ingest, Path log, boolean graceful) throws Exception {
    Process process = hoist(log, "pull", "--store", store.toString(), ref);
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (size(ingest) < KILL_AT) {
        assertThat(process.isAlive())
            .as("pull still running before the kill; log:%n%s", Files.readString(log))
            .isTrue();
        assertThat(System.nanoTime())
            .as("ingest reached 100 MiB within 3 min")
            .isLessThan(deadline);
        Thread.sleep(2);
      }
      if (graceful) {
        process.destroy(); // SIGTERM: shutdown hooks run
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("stopped by SIGTERM").isEqualTo(128 + 15);
      } else {
        process.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no cleanup
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(SIGKILL_EXIT);
      }
      return size(ingest);
    } finally {
      process.destroyForcibly();
    }
  }

  private static long size(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  private static void assertEveryBlobHashesToItsName(Path store) throws Exception {
    List<Path> blobs;
    try (Stream<Path> files = Files.list(store.resolve("blobs/sha256"))) {
      blobs = new ArrayList<>(files.toList());
    }
    assertThat(blobs).hasSizeGreaterThanOrEqualTo(3); // manifest, config, layer
    for (Path blob : blobs) {
      assertThat(sha256Hex(blob)).as("%s", blob).isEqualTo(blob.getFileName().toString());
    }
  }

  private static String sha256Hex(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
