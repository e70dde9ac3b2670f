package dev.hoist.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.MediaTypes;
import dev.hoist.internal.json.Json;
import dev.hoist.platform.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The names of images in the store, kept in the layout's {@code index.json} as the OCI spec
 * says: one descriptor per name, the name in the {@code org.opencontainers.image.ref.name}
 * annotation (hoist writes the full reference, e.g. {@code docker.io/library/busybox:latest}, and
 * repeats it in containerd's {@code io.containerd.image.name}). Every entry names an OCI image
 * manifest for one platform, which is what OCI tools such as skopeo and umoci can read; the
 * registry's own manifest, list or index is kept as a blob beside it.
 *
 * <p>Every change is a read-modify-write under a lock shared with other hoist processes, written
 * to a temporary file and renamed over {@code index.json}, so readers never see a half-written
 * index and concurrent pulls never lose each other's tags. Entries written by other tools are
 * kept as they are.
 */
public final class ImageRefs {
  /** The OCI annotation that names a manifest in {@code index.json}. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  /**
   * hoist's annotation of the digest a reference resolved to in the registry (an index's, for a
   * multi-platform image), where the entry itself names the platform's OCI image manifest.
   */
  public static final String RESOLVED_DIGEST = "dev.hoist.resolved.digest";

  static final String CONTAINERD_NAME = "io.containerd.image.name";
  private static final long MAX_INDEX_BYTES = 64L << 20;

  private final OciStore store;
  private final Path indexFile;

  ImageRefs(OciStore store) {
    this.store = store;
    this.indexFile = store.root().resolve("index.json");
  }

  void createIfMissing() throws IOException {
    if (Files.exists(indexFile)) {
      return;
    }
    try (StoreLock lock = lock()) {
      if (!Files.exists(indexFile)) {
        write(emptyIndex());
      }
    }
  }

  /** Every descriptor in {@code index.json}, in file order. */
  public List<Descriptor> list() throws IOException {
    List<Descriptor> result = new ArrayList<>();
    for (JsonNode entry : read().withArray("manifests")) {
      result.add(toDescriptor(entry));
    }
    return result;
  }

  /** The descriptor named {@code refName}; the last one wins if a tool wrote duplicates. */
  public Optional<Descriptor> resolve(String refName) throws IOException {
    Descriptor found = null;
    for (Descriptor d : list()) {
      if (refName.equals(d.annotations().get(REF_NAME))) {
        found = d;
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Points every name in {@code refNames} at {@code target}, in one atomic update of
   * {@code index.json}. Names that pointed elsewhere are moved.
   */
  public void tag(Descriptor target, Collection<String> refNames) throws IOException {
    try (StoreLock lock = lock()) {
      ObjectNode index = read();
      ArrayNode manifests = index.withArray("manifests");
      if (alreadyTagged(manifests, target, refNames)) {
        return; // a re-pull that changes nothing: spare the write and its two fsyncs
      }
      for (Iterator<JsonNode> it = manifests.iterator(); it.hasNext(); ) {
        if (refNames.contains(it.next().path("annotations").path(REF_NAME).asText(null))) {
          it.remove();
        }
      }
      for (String name : refNames) {
        Map<String, String> annotations = new LinkedHashMap<>(target.annotations());
        annotations.put(REF_NAME, name);
        annotations.put(CONTAINERD_NAME, name);
        manifests.add(toJson(target.withAnnotations(annotations)));
      }
      write(index);
    }
  }

  /**
   * Removes, in one atomic update of {@code index.json}, every entry {@code which} accepts, and
   * returns them in file order. Entries written by other tools are offered too.
   */
  public List<Descriptor> remove(java.util.function.Predicate<Descriptor> which) throws IOException {
    try (StoreLock lock = lock()) {
      ObjectNode index = read();
      List<Descriptor> removed = new ArrayList<>();
      for (Iterator<JsonNode> it = index.withArray("manifests").iterator(); it.hasNext(); ) {
        Descriptor entry = toDescriptor(it.next());
        if (which.test(entry)) {
          removed.add(entry);
          it.remove();
        }
      }
      if (!removed.isEmpty()) {
        write(index);
      }
      return removed;
    }
  }

  /** The name of an entry ({@link #REF_NAME}), or null for an unnamed one. */
  public static String nameOf(Descriptor entry) {
    return entry.annotations().get(REF_NAME);
  }

  /** Whether every name already names exactly {@code target}, once, as {@link #tag} would write it. */
  private boolean alreadyTagged(ArrayNode manifests, Descriptor target, Collection<String> refNames)
      throws IOException {
    for (String name : refNames) {
      Map<String, String> annotations = new LinkedHashMap<>(target.annotations());
      annotations.put(REF_NAME, name);
      annotations.put(CONTAINERD_NAME, name);
      // Through bytes, so numbers compare as parsed ones do (an int node never equals a long node).
      JsonNode wanted = Json.mapper().readTree(
          Json.mapper().writeValueAsBytes(toJson(target.withAnnotations(annotations))));
      int matches = 0;
      for (JsonNode entry : manifests) {
        if (name.equals(entry.path("annotations").path(REF_NAME).asText(null))) {
          if (!entry.equals(wanted)) {
            return false;
          }
          matches++;
        }
      }
      if (matches != 1) {
        return false;
      }
    }
    return true;
  }

  private StoreLock lock() throws IOException {
    return StoreLock.acquire(store.root().resolve(OciStore.WORKDIR).resolve("index.lock"));
  }

  private ObjectNode read() throws IOException {
    if (Files.size(indexFile) > MAX_INDEX_BYTES) {
      throw new IOException(indexFile + " is larger than " + MAX_INDEX_BYTES + " bytes");
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(indexFile.toFile());
    } catch (IOException e) {
      throw new IOException("the store's index is not valid JSON: " + indexFile + ": " + e.getMessage(), e);
    }
    if (node == null || !node.isObject() || !node.path("manifests").isArray()) {
      throw new IOException("the store's index is not an OCI image index: " + indexFile);
    }
    return (ObjectNode) node;
  }

  private void write(ObjectNode index) throws IOException {
    store.writeAtomically(indexFile, Json.mapper().writeValueAsBytes(index));
  }

  private static ObjectNode emptyIndex() {
    ObjectNode index = Json.mapper().createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    index.putArray("manifests");
    return index;
  }

  private static ObjectNode toJson(Descriptor d) {
    ObjectNode node = Json.mapper().createObjectNode();
    node.put("mediaType", d.mediaType());
    node.put("digest", d.digest().toString());
    node.put("size", d.size());
    if (!d.annotations().isEmpty()) {
      ObjectNode annotations = node.putObject("annotations");
      d.annotations().forEach(annotations::put);
    }
    if (d.platform() != null) {
      ObjectNode platform = node.putObject("platform");
      platform.put("architecture", d.platform().architecture());
      platform.put("os", d.platform().os());
      if (!d.platform().variant().isEmpty()) {
        platform.put("variant", d.platform().variant());
      }
    }
    return node;
  }

  private static Platform platform(JsonNode node) {
    if (!node.isObject()) {
      return null;
    }
    return Platform.of(
        node.path("os").asText(""), node.path("architecture").asText(""), node.path("variant").asText(""));
  }

  private Descriptor toDescriptor(JsonNode entry) throws IOException {
    Map<String, String> annotations = new LinkedHashMap<>();
    entry.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
    try {
      return new Descriptor(
          entry.path("mediaType").asText(""),
          Digest.parse(entry.path("digest").asText("")),
          entry.path("size").asLong(),
          List.of(),
          annotations,
          platform(entry.path("platform")));
    } catch (IllegalArgumentException e) {
      throw new IOException("the store's index has an invalid entry: " + entry, e);
    }
  }
}
