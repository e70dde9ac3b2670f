package dev.hoist.catalog;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageIndex;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.Manifest;
import dev.hoist.image.Manifests;
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
    Deque<Descriptor> todo = new ArrayDeque<>();
    for (Descriptor entry : entries) {
      todo.add(entry);
      String resolved = entry.annotations().get(ImageRefs.RESOLVED_DIGEST);
      if (resolved != null) {
        try {
          // No descriptor names it: left untyped, its own mediaType field or shape types it.
          todo.add(Descriptor.of("", Digest.parse(resolved), 0));
        } catch (IllegalArgumentException e) {
          // another tool's annotation: nothing to keep
        }
      }
    }
    while (!todo.isEmpty()) {
      Descriptor next = todo.removeFirst();
      if (reached.contains(next.digest()) || !store.contains(next.digest())) {
        continue;
      }
      reached.add(next.digest());
      Manifest manifest = parse(store, next);
      if (manifest instanceof ImageManifest image) {
        reached.add(image.config().digest());
        image.layers().forEach(layer -> reached.add(layer.digest()));
      } else if (manifest instanceof ImageIndex index) {
        todo.addAll(index.manifests());
      }
    }
    reached.removeIf(d -> !store.contains(d));
    return reached;
  }

  /**
   * The blob {@code descriptor} names as a manifest or index, typed as {@link
   * Manifests#parseStored} types what the store holds, or null when it is neither or unreadable.
   */
  static Manifest parse(OciStore store, Descriptor descriptor) {
    try {
      if (store.size(descriptor.digest()) > Manifests.MAX_BYTES) {
        return null;
      }
      byte[] bytes = store.read(descriptor.digest(), Manifests.MAX_BYTES);
      return Manifests.parseStored(bytes, descriptor.mediaType());
    } catch (IOException | IllegalArgumentException e) {
      return null; // InvalidManifestException included: not a manifest, a leaf
    }
  }
}
