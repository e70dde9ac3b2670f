package dev.hoist.catalog;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.Manifest;
import dev.hoist.store.ImageRefs;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreLease;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Checks a store the way {@code fsck} checks a filesystem: every blob re-hashed against its name,
 * the index readable, and every image it names complete (manifest, config and layers present and
 * intact). With repair, corrupt blobs are deleted and the index entries of images that are no
 * longer complete are removed, so what is left verifies; pulling those images again restores them.
 */
public final class StoreVerifier {
  private static final int BUFFER = 1 << 20;

  private final OciStore store;

  public StoreVerifier(OciStore store) {
    this.store = Objects.requireNonNull(store, "store == null");
  }

  /**
   * What a verification found and, with repair, removed. Each problem is one sentence naming the
   * blob or image.
   */
  public record Report(int blobsChecked, List<String> problems, List<String> removed) {
    public Report {
      problems = List.copyOf(problems);
      removed = List.copyOf(removed);
    }

    /** True when nothing was wrong. */
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Verifies the store; {@code repair} also removes what is broken.
   *
   * @param progress told about each blob as it is checked
   */
  public Report verify(boolean repair, Consumer<Digest> progress) throws IOException {
    try (StoreLease lease = repair ? store.exclusiveLease() : store.lease()) {
      List<String> problems = new ArrayList<>();
      List<String> removed = new ArrayList<>();
      Set<Digest> corrupt = new HashSet<>();
      List<Digest> blobs = store.blobs();
      for (Digest blob : blobs) {
        progress.accept(blob);
        Digest actual = hash(blob);
        if (!actual.equals(blob)) {
          corrupt.add(blob);
          problems.add("blob " + blob + " is corrupt: its content hashes to " + actual);
        }
      }
      List<Descriptor> entries;
      try {
        entries = store.refs().list();
      } catch (IOException e) {
        problems.add(e.getMessage() + " (not repairable here: restore or delete index.json)");
        return new Report(blobs.size(), problems, removed);
      }
      Set<Digest> checked = new HashSet<>();
      Set<Digest> brokenManifests = new HashSet<>();
      for (Descriptor entry : entries) {
        if (!checked.add(entry.digest())) {
          continue; // one report per image, under its first name
        }
        String name = ImageRefs.nameOf(entry) == null ? entry.digest().toString() : ImageRefs.nameOf(entry);
        String problem = checkImage(entry, corrupt);
        if (problem != null) {
          brokenManifests.add(entry.digest());
          problems.add("image " + name + ": " + problem);
        }
      }
      if (repair) {
        for (Digest blob : corrupt) {
          if (store.delete(blob, lease)) {
            removed.add("blob " + blob);
          }
        }
        for (Descriptor entry : store.refs().remove(e -> brokenManifests.contains(e.digest()))) {
          String name = ImageRefs.nameOf(entry);
          removed.add("index entry " + (name == null ? entry.digest().toString() : name));
        }
      }
      return new Report(blobs.size(), problems, removed);
    }
  }

  /** Why the image an entry names is incomplete, or null when it is whole. */
  private String checkImage(Descriptor entry, Set<Digest> corrupt) throws IOException {
    Digest digest = entry.digest();
    if (!store.contains(digest)) {
      return "manifest " + digest + " is missing";
    }
    if (corrupt.contains(digest)) {
      return "manifest " + digest + " is corrupt";
    }
    if (store.size(digest) != entry.size()) {
      return "manifest " + digest + " has " + store.size(digest) + " bytes, the index says " + entry.size();
    }
    Manifest manifest = Reachability.parse(store, entry);
    if (manifest == null) {
      return "manifest " + digest + " is not a valid manifest";
    }
    if (!(manifest instanceof ImageManifest image)) {
      return null; // an index another tool named: its children may be partial by design
    }
    List<Descriptor> parts = new ArrayList<>();
    parts.add(image.config());
    parts.addAll(image.layers());
    for (Descriptor part : parts) {
      String what = part == image.config() ? "config " : "layer ";
      if (!store.contains(part.digest())) {
        return what + part.digest() + " is missing";
      }
      if (corrupt.contains(part.digest())) {
        return what + part.digest() + " is corrupt";
      }
    }
    return null;
  }

  private Digest hash(Digest blob) throws IOException {
    MessageDigest hasher = blob.newHasher();
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = store.open(blob)) {
      for (int n; (n = in.read(buffer)) != -1; ) {
        hasher.update(buffer, 0, n);
      }
    }
    return Digest.of(blob.algorithm(), hasher.digest());
  }
}
