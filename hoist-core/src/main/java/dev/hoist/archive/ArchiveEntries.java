package dev.hoist.archive;

import dev.hoist.internal.tar.EntryNames;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * The entries of an archive file, found by name with random access ({@link TarFile}), so that
 * {@code manifest.json} may come after the layers it names. Nothing is ever extracted: names are
 * only looked up, cleaned as {@link EntryNames#clean} cleans them ({@code a/../b} is {@code b},
 * where extracting the tar would put it), and a name that is absolute or climbs out with
 * {@code ../} (in the tar, in {@code manifest.json} or in a symlink) never resolves to an entry.
 */
final class ArchiveEntries implements Closeable {
  private static final int MAX_LINKS = 8;

  private final TarFile tar;
  private final Map<String, TarArchiveEntry> byName = new HashMap<>();

  private ArchiveEntries(TarFile tar) {
    this.tar = tar;
    for (TarArchiveEntry entry : tar.getEntries()) {
      // A later entry of the same name wins, as it would when the tar is extracted.
      inside(entry.getName()).ifPresent(name -> byName.put(name, entry));
    }
  }

  static ArchiveEntries open(Path file) throws IOException {
    TarFile tar;
    try {
      tar = new TarFile(file);
    } catch (IOException | RuntimeException e) {
      throw new InvalidArchiveException(
          "cannot read " + file + " as a tar archive (truncated or not a tar): " + describe(e), e);
    }
    return new ArchiveEntries(tar);
  }

  /** Whether a regular file (or a link to one) of that name is in the archive. */
  boolean contains(String name) {
    try {
      return find(name).isPresent();
    } catch (InvalidArchiveException e) {
      return false;
    }
  }

  /**
   * The regular file {@code name} names, following symlinks and hard links inside the archive
   * (older {@code docker save} links duplicate layers).
   *
   * @throws InvalidArchiveException if the name (or a link on the way) is unsafe or the entry is
   *     neither a file nor a link to one
   */
  Optional<TarArchiveEntry> find(String name) throws InvalidArchiveException {
    String current = safe(name, name);
    for (int hops = 0; hops <= MAX_LINKS; hops++) {
      TarArchiveEntry entry = byName.get(current);
      if (entry == null) {
        return Optional.empty();
      }
      if (entry.isSymbolicLink()) {
        String link = entry.getLinkName();
        int slash = current.lastIndexOf('/');
        String joined = slash < 0 || link.startsWith("/") ? link : current.substring(0, slash + 1) + link;
        current = linkTarget(joined, name + " (a link to " + link + ")");
      } else if (entry.isLink()) {
        current = linkTarget(entry.getLinkName(), name + " (a hard link to " + entry.getLinkName() + ")");
      } else if (entry.isFile()) {
        return Optional.of(entry);
      } else {
        throw new InvalidArchiveException("archive entry " + name + " is not a regular file");
      }
    }
    throw new InvalidArchiveException("archive entry " + name + " is a chain of more than "
        + MAX_LINKS + " links");
  }

  /** The regular file {@code name} names; {@code what} says who named it, for the error. */
  TarArchiveEntry require(String name, String what) throws InvalidArchiveException {
    return find(name).orElseThrow(() -> new InvalidArchiveException(
        what + " names " + name + ", which the archive does not contain"));
  }

  /** Opens an entry's bytes; the stream ends early if the archive is truncated. */
  InputStream open(TarArchiveEntry entry) throws IOException {
    return tar.getInputStream(entry);
  }

  /** Reads a whole small entry (a manifest or config), refusing more than {@code max} bytes. */
  byte[] read(String name, String what, long max) throws IOException {
    TarArchiveEntry entry = require(name, what);
    if (entry.getSize() > max) {
      throw new InvalidArchiveException("archive entry " + name + " is " + entry.getSize()
          + " bytes, more than the " + max + " allowed for " + what);
    }
    byte[] bytes;
    try (InputStream in = open(entry)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new InvalidArchiveException("archive entry " + name + " is unreadable: " + describe(e), e);
    }
    if (bytes.length != entry.getSize()) {
      throw new InvalidArchiveException("archive entry " + name + " is truncated: "
          + bytes.length + " of " + entry.getSize() + " bytes");
    }
    return bytes;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

  /**
   * {@code name} as a clean relative path ({@code ./a//b/} is {@code a/b}), or an error when it is
   * empty, absolute or leaves the archive.
   */
  static String safe(String name, String what) throws InvalidArchiveException {
    if (name == null || name.isBlank()) {
      throw new InvalidArchiveException("missing path for " + what);
    }
    return inside(name).orElseThrow(() -> new InvalidArchiveException(
        "unsafe path " + name + " for " + what + ": paths must stay inside the archive"));
  }

  /** A link target cleaned inside the archive, or an error when it is absolute or leaves it. */
  private static String linkTarget(String target, String what) throws InvalidArchiveException {
    return inside(target).orElseThrow(() -> new InvalidArchiveException(
        "unsafe link " + what + ": links must stay inside the archive"));
  }

  /** The clean name of something in the archive; empty for the root, and outside it. */
  private static Optional<String> inside(String name) {
    return EntryNames.inside(name).filter(clean -> !clean.isEmpty());
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
