package dev.hoist.unpack;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * OCI whiteouts (image-spec layer.md, "Whiteouts"): {@code .wh.NAME} removes NAME and {@code
 * .wh..wh..opq} removes every sibling, but only what lower layers put there. Entries of the layer
 * being applied stay, wherever the marker sits in its tar, so this remembers what the current layer
 * created. Other {@code .wh..wh.} names are AUFS metadata and are ignored.
 */
final class Whiteouts {
  static final String PREFIX = ".wh.";
  static final String META_PREFIX = ".wh..wh.";
  static final String OPAQUE = ".wh..wh..opq";

  /** Removes a canonical name and everything below it. */
  interface Remover {
    void remove(String name) throws IOException;
  }

  private final RootPath root;
  private final Remover remover;
  private final Set<String> created = new HashSet<>();

  Whiteouts(RootPath root, Remover remover) {
    this.root = root;
    this.remover = remover;
  }

  /** True when a clean entry name is a whiteout or AUFS metadata: it is not created as a file. */
  static boolean isMarker(String name) {
    int slash = name.indexOf('/');
    String first = slash < 0 ? name : name.substring(0, slash);
    return RootPath.base(name).startsWith(PREFIX)
        || (first.startsWith(META_PREFIX) && !first.equals(OPAQUE));
  }

  /** Starts a new layer: everything already in the root now counts as lower. */
  void startLayer() {
    created.clear();
  }

  /** Records that the current layer created (or re-declared) a canonical name. */
  void created(String name) {
    created.add(name);
  }

  /**
   * Applies a marker named by a clean entry name (see {@link #isMarker}). Returns false when it is
   * malformed: {@code .wh.}, {@code .wh..} and {@code .wh...} would remove the directory holding
   * them or its parent.
   */
  boolean apply(String name) throws IOException {
    String base = RootPath.base(name);
    String dir = RootPath.parent(name);
    if (base.equals(OPAQUE)) {
      String resolved = dir.isEmpty() ? "" : root.resolve(dir);
      BasicFileAttributes attributes = root.attributes(resolved);
      if (attributes != null && attributes.isDirectory()) {
        for (String child : children(resolved)) {
          removeLower(RootPath.child(resolved, child));
        }
      }
      return true;
    }
    if (!base.startsWith(PREFIX) || base.startsWith(META_PREFIX)) {
      return true; // AUFS metadata such as .wh..wh.plnk: nothing to apply
    }
    String hidden = base.substring(PREFIX.length());
    if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
      return false;
    }
    removeLower(root.resolve(RootPath.child(dir, hidden)));
    return true;
  }

  // Removes what lower layers put at a canonical name, descending into this layer's directories.
  private void removeLower(String name) throws IOException {
    if (!created.contains(name)) {
      remover.remove(name);
      return;
    }
    BasicFileAttributes attributes = root.attributes(name);
    if (attributes != null && attributes.isDirectory()) {
      for (String child : children(name)) {
        removeLower(RootPath.child(name, child));
      }
    }
  }

  private List<String> children(String dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root.path(dir))) {
      for (Path entry : entries) {
        names.add(entry.getFileName().toString());
      }
    }
    return names;
  }
}
