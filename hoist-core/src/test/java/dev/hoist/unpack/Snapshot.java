package dev.hoist.unpack;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.hoist.image.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Everything observable about a tree (types, contents, links, modes, owners, mtimes, nlinks). */
final class Snapshot {
  private Snapshot() {}

  /** Describes every path below {@code dir} except the subtree at {@code skip}. */
  static Map<String, String> of(Path dir, Path skip) throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        if (p.startsWith(skip)) {
          continue;
        }
        Map<String, Object> a = Files.readAttributes(p, "unix:*", NOFOLLOW_LINKS);
        String content =
            Files.isSymbolicLink(p)
                ? "-> " + Files.readSymbolicLink(p)
                : Files.isRegularFile(p, NOFOLLOW_LINKS)
                    ? Digest.sha256(Files.readAllBytes(p)).toString()
                    : "";
        tree.put(
            dir.relativize(p).toString(),
            String.format(
                "mode=%o uid=%s gid=%s nlink=%s mtime=%s %s",
                a.get("mode"),
                a.get("uid"),
                a.get("gid"),
                a.get("nlink"),
                a.get("lastModifiedTime"),
                content));
      }
    }
    return tree;
  }
}
