package dev.hoist.unpack;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Paths inside one root directory, resolved as if the root were {@code /} (the idea of
 * cyphar/filepath-securejoin's {@code SecureJoin}). Each parent component is looked up without
 * following links; a symlink met on the way is expanded here, its absolute target re-rooted at the
 * root and {@code ..} clamped there. The last component is never followed: callers replace it.
 *
 * <p>Paths are passed around as clean relative names ({@code ""} is the root). Like {@code
 * SecureJoin}, this assumes nothing else changes the tree meanwhile (the root is a private
 * directory); it does not defend against a concurrent process swapping components. Not thread-safe.
 */
final class RootPath {
  /** Symlinks expanded for one path before giving up, as Linux's ELOOP does (at 40). */
  static final int MAX_SYMLINKS = 255;

  private final Path root;
  // Canonical names known to be real directories (not symlinks); dropped when removed.
  private final NavigableSet<String> directories = new TreeSet<>();

  RootPath(Path root) {
    this.root = root;
  }

  static String parent(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? "" : name.substring(0, slash);
  }

  static String base(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  static String child(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }

  /** The filesystem path of a canonical name. */
  Path path(String name) {
    return name.isEmpty() ? root : root.resolve(name);
  }

  /**
   * Resolves the parents of a clean, non-empty name inside the root and returns the canonical name:
   * no component but the last is a symlink, and the last is not followed.
   *
   * @throws FileSystemLoopException after {@link #MAX_SYMLINKS} expansions
   */
  String resolve(String name) throws IOException {
    String parent = parent(name);
    if (parent.isEmpty() || directories.contains(parent)) {
      return name; // a known real directory: every component above it was resolved already
    }
    Deque<String> todo = new ArrayDeque<>(List.of(name.split("/")));
    List<String> done = new ArrayList<>();
    int expansions = 0;
    while (todo.size() > 1) {
      String part = todo.removeFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      done.add(part);
      String sofar = String.join("/", done);
      if (directories.contains(sofar)) {
        continue;
      }
      BasicFileAttributes attributes = attributes(sofar);
      if (attributes == null || !attributes.isSymbolicLink()) {
        if (attributes != null && attributes.isDirectory()) {
          directories.add(sofar);
        }
        continue; // missing parents are created later; a file as parent fails then
      }
      if (++expansions > MAX_SYMLINKS) {
        throw new FileSystemLoopException(name);
      }
      String target = Files.readSymbolicLink(path(sofar)).toString();
      done.remove(done.size() - 1);
      if (target.startsWith("/")) {
        done.clear();
      }
      String[] targetParts = target.split("/");
      for (int i = targetParts.length - 1; i >= 0; i--) {
        todo.addFirst(targetParts[i]);
      }
    }
    done.add(todo.getFirst());
    return String.join("/", done);
  }

  /** The attributes of a canonical name, not following a link; null when nothing is there. */
  BasicFileAttributes attributes(String name) throws IOException {
    try {
      return Files.readAttributes(path(name), BasicFileAttributes.class, NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Creates the missing directories of a canonical name, reporting each one it creates. */
  void createDirectories(String name, Consumer<String> created) throws IOException {
    if (name.isEmpty() || directories.contains(name)) {
      return;
    }
    String sofar = "";
    for (String part : name.split("/")) {
      sofar = child(sofar, part);
      if (directories.contains(sofar)) {
        continue;
      }
      BasicFileAttributes attributes = attributes(sofar);
      if (attributes == null) {
        Files.createDirectory(path(sofar));
        created.accept(sofar);
      } else if (!attributes.isDirectory()) {
        throw new NotDirectoryException(sofar);
      }
      directories.add(sofar);
    }
  }

  /** Notes that a canonical name is now a real directory. */
  void directoryCreated(String name) {
    directories.add(name);
  }

  /** Deletes whatever is at a canonical name, with everything below it; never follows a link. */
  void delete(String name) throws IOException {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("the root itself cannot be deleted");
    }
    directories.remove(name);
    directories.subSet(name + "/", name + "0").clear(); // '0' follows '/'
    if (attributes(name) == null) {
      return;
    }
    Files.walkFileTree(
        path(name),
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
