package dev.hoist.catalog;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageIndex;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.Manifest;
import dev.hoist.image.Manifests;
import dev.hoist.image.MediaTypes;
import dev.hoist.internal.json.Json;
import dev.hoist.store.ImageRefs;
import dev.hoist.store.OciStore;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The blobs that index entries keep alive: each entry's manifest with its config and layers, and
 * the registry's manifest or index the entry resolved from (its {@link ImageRefs#RESOLVED_DIGEST}),
 * with whichever of that index's children the store holds. Blobs that are missing are skipped;
 * blobs that do not parse as manifests are leaves.
 */
final class Reachability {

  private Reachability() {}

  static Set<Digest> from(OciStore store, Collection<Descriptor> entries) throws IOException {
    Set<Digest> reached = new LinkedHashSet<>();
    Deque<Digest> todo = new ArrayDeque<>();
    for (Descriptor entry : entries) {
      todo.add(entry.digest());
      String resolved = entry.annotations().get(ImageRefs.RESOLVED_DIGEST);
      if (resolved != null) {
        try {
          todo.add(Digest.parse(resolved));
        } catch (IllegalArgumentException e) {
          // another tool's annotation: nothing to keep
        }
      }
    }
    while (!todo.isEmpty()) {
      Digest digest = todo.removeFirst();
      if (reached.contains(digest) || !store.contains(digest)) {
        continue;
      }
      reached.add(digest);
      Manifest manifest = parse(store, digest);
      if (manifest instanceof ImageManifest image) {
        reached.add(image.config().digest());
        image.layers().forEach(layer -> reached.add(layer.digest()));
      } else if (manifest instanceof ImageIndex index) {
        index.manifests().forEach(child -> todo.add(child.digest()));
      }
    }
    reached.removeIf(d -> !store.contains(d));
    return reached;
  }

  /** The declared media type; OCI makes it optional, so the shape decides when it is absent. */
  private static String mediaTypeOf(byte[] bytes) throws IOException {
    com.fasterxml.jackson.databind.JsonNode root = Json.mapper().readTree(bytes);
    if (root == null || !root.isObject()) {
      throw new InvalidManifestException("not a JSON object");
    }
    String declared = root.path("mediaType").asText("");
    if (!declared.isEmpty()) {
      return declared;
    }
    if (root.path("manifests").isArray()) {
      return MediaTypes.OCI_INDEX;
    }
    if (root.path("config").isObject() && root.path("layers").isArray()) {
      return MediaTypes.OCI_MANIFEST;
    }
    throw new InvalidManifestException("not a manifest");
  }

  /** The blob as a manifest or index, or null when it is neither (or unreadable). */
  static Manifest parse(OciStore store, Digest digest) {
    try {
      if (store.size(digest) > Manifests.MAX_BYTES) {
        return null;
      }
      byte[] bytes = store.read(digest, Manifests.MAX_BYTES);
      return Manifests.parse(bytes, mediaTypeOf(bytes));
    } catch (IOException | IllegalArgumentException e) {
      return null; // InvalidManifestException included: not a manifest, a leaf
    }
  }
}
