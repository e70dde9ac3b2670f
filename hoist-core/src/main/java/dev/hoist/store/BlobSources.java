package dev.hoist.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.image.Digest;
import dev.hoist.internal.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the store knows about a layer blob beyond its bytes, like docker's v2 metadata service:
 * the repositories it was pulled from (newest last, at most 50) and its DiffID (the digest of
 * the uncompressed tar, as the image config names it). Kept in {@code .hoist/metadata/}, one small
 * JSON file per blob, each update atomic and locked against other hoist processes.
 */
public final class BlobSources {
  private static final int MAX_REPOSITORIES = 50;

  private final OciStore store;

  BlobSources(OciStore store) {
    this.store = store;
  }

  /** What is recorded about a blob. */
  public record Entry(Optional<Digest> diffId, List<String> repositories) {}

  /** Records that {@code blob} came from {@code repository} and has DiffID {@code diffId}. */
  public void record(Digest blob, Digest diffId, String repository) throws IOException {
    Entry known = read(blob);
    List<String> recorded = known.repositories();
    if (known.diffId().equals(Optional.of(diffId))
        && !recorded.isEmpty()
        && recorded.get(recorded.size() - 1).equals(repository)) {
      return; // nothing new: spare the write on every up-to-date pull
    }
    Path file = file(blob);
    try (StoreLock lock = StoreLock.acquire(lockFile(blob))) {
      Entry old = read(blob);
      Set<String> repositories = new LinkedHashSet<>(old.repositories());
      repositories.remove(repository);
      repositories.add(repository);
      List<String> kept = new ArrayList<>(repositories);
      if (kept.size() > MAX_REPOSITORIES) {
        kept = kept.subList(kept.size() - MAX_REPOSITORIES, kept.size());
      }
      ObjectNode json = Json.mapper().createObjectNode();
      json.put("diffId", diffId.toString());
      ArrayNode repos = json.putArray("repositories");
      kept.forEach(repos::add);
      Files.createDirectories(file.getParent());
      store.writeAtomically(file, Json.mapper().writeValueAsBytes(json), false);
    }
  }

  /** What is recorded about {@code blob}; empty when nothing is. */
  public Entry read(Digest blob) throws IOException {
    Path file = file(blob);
    if (!Files.exists(file)) {
      return new Entry(Optional.empty(), List.of());
    }
    JsonNode json;
    try {
      json = Json.mapper().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      return new Entry(Optional.empty(), List.of()); // a damaged hint is no hint
    }
    List<String> repositories = new ArrayList<>();
    json.path("repositories").forEach(r -> repositories.add(r.asText()));
    Optional<Digest> diffId;
    try {
      diffId = Optional.of(Digest.parse(json.path("diffId").asText("")));
    } catch (IllegalArgumentException e) {
      diffId = Optional.empty();
    }
    return new Entry(diffId, List.copyOf(repositories));
  }

  /** Drops what is recorded about a blob that is being deleted. */
  void forget(Digest blob) throws IOException {
    Files.deleteIfExists(file(blob));
  }

  /** The blob a metadata file is about, from its name; empty for a file that is not one. */
  static Optional<Digest> blobOf(Path metadataFile) {
    String name = metadataFile.getFileName().toString();
    int dash = name.indexOf('-');
    if (dash < 0 || !name.endsWith(".json")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Digest.parse(
          name.substring(0, dash) + ":" + name.substring(dash + 1, name.length() - ".json".length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private Path file(Digest blob) {
    return store.root().resolve(OciStore.WORKDIR).resolve("metadata")
        .resolve(blob.algorithm() + "-" + blob.hex() + ".json");
  }

  private Path lockFile(Digest blob) {
    return store.root().resolve(OciStore.WORKDIR).resolve("locks")
        .resolve("meta-" + blob.algorithm() + "-" + blob.hex());
  }
}
