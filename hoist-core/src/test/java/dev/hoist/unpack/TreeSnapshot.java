package dev.hoist.unpack;

import dev.hoist.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A comparable description of a directory tree: per relative path, its type, permission bits,
 * size, content hash and link target. Two unpackers agree when their snapshots are equal.
 */
final class TreeSnapshot {
  private TreeSnapshot() {}

  static Map<String, String> of(Path root) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.filter(p -> !p.equals(root)).toList()) {
        entries.put(root.relativize(p).toString(), describe(p));
      }
    }
    return entries;
  }

  private static String describe(Path p) throws IOException {
    if (Files.isSymbolicLink(p)) {
      return "symlink -> " + Files.readSymbolicLink(p);
    }
    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    String perms = Integer.toOctalString(mode & 07777);
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return "dir " + perms;
    }
    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      int links = (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
      return "file " + perms + " " + Files.size(p) + " " + sha256(p) + (links > 1 ? " hardlinked" : "");
    }
    return "other " + perms;
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest md = Digest.newSha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        md.update(buffer, 0, n);
      }
    }
    return Digest.of("sha256", md.digest()).shortHex();
  }
}
