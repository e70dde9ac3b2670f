package dev.hoist.unpack;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Directory modes and times, set after the last layer and deepest first: creating a child changes
 * its directory's mtime, and a read-only directory would stop a later layer (or, without root, this
 * one) from writing into it.
 */
final class PendingDirectories {
  private record Pending(int mode, FileTime modified, FileTime accessed) {}

  private final NavigableMap<String, Pending> pending = new TreeMap<>();

  void put(String name, int mode, FileTime modified, FileTime accessed) {
    pending.put(name, new Pending(mode, modified, accessed));
  }

  /** Drops a removed canonical name and everything below it. */
  void forget(String name) {
    pending.remove(name);
    pending.subMap(name + "/", name + "0").clear(); // '0' follows '/'
  }

  /** Applies everything still pending to what is still a directory, then forgets it. */
  void apply(RootPath root, Metadata metadata) throws IOException {
    List<Map.Entry<String, Pending>> deepestFirst = new ArrayList<>(pending.entrySet());
    deepestFirst.sort(Comparator.comparingInt(e -> -depth(e.getKey())));
    for (Map.Entry<String, Pending> e : deepestFirst) {
      BasicFileAttributes attributes = root.attributes(e.getKey());
      if (attributes == null || !attributes.isDirectory()) {
        continue;
      }
      Pending p = e.getValue();
      metadata.times(root.path(e.getKey()), p.modified(), p.accessed());
      metadata.mode(root.path(e.getKey()), p.mode());
    }
    pending.clear();
  }

  private static int depth(String name) {
    return name.isEmpty() ? 0 : name.split("/").length;
  }
}
