package dev.hoist.unpack;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.hoist.internal.tar.EntryNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Applies layers, in order, onto a root directory that holds the layers below them (image-spec
 * layer.md, "Applying Changesets"). Each entry replaces what its path held, whiteouts remove what
 * lower layers put there, and nothing outside the root is ever created, changed or followed: names
 * that climb out are refused, and symlinks met on the way are resolved inside the root (see {@link
 * RootPath}). Call {@link #finish()} after the last layer. Not thread-safe.
 */
public final class LayerApplier {
  private static final int BUFFER_SIZE = 1 << 20;
  private static final Set<OpenOption> NEW_FILE = Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS);

  private final RootPath root;
  private final Options options;
  private final Notes notes;
  private final Metadata metadata;
  private final Whiteouts whiteouts;
  private final PendingDirectories directories = new PendingDirectories();
  private final Devices devices;
  private byte[] buffer;
  private long written;
  private String layer = "";

  /**
   * @param root an existing directory that holds the lower layers already applied
   * @param notes told, once per kind, about what could not be applied (ownership without root,
   *     device nodes, xattrs, unknown entry types); called on the applying thread
   */
  public LayerApplier(Path root, Options options, Consumer<String> notes) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("root is not a directory: " + root);
    }
    this.root = new RootPath(root.toAbsolutePath().normalize());
    this.options = Objects.requireNonNull(options, "options == null");
    this.notes = new Notes(Objects.requireNonNull(notes, "notes == null"));
    this.metadata =
        new Metadata(options.applyOwnership(), this.notes, Metadata.Defaults.probe(this.root.path("")));
    this.whiteouts = new Whiteouts(this.root, this::remove);
    this.devices = new Devices(options.applyOwnership(), this.notes);
  }

  /**
   * Applies one layer. Reads {@code tar}, already decompressed, to its end (so a digest of the same
   * stream covers every byte) but does not close it. On failure the root is left part-way.
   *
   * @param layer names the layer in messages, such as its DiffID
   * @throws UnsafeLayerException when an entry would leave the root or is malformed
   * @throws UnpackLimitException when file data across all layers exceeds {@link
   *     Options#maxBytes()}
   */
  public void apply(InputStream tar, String layer) throws IOException {
    this.layer = Objects.requireNonNull(layer, "layer == null");
    whiteouts.startLayer();
    // Not closed: closing it would close the caller's stream.
    TarArchiveInputStream in = new TarArchiveInputStream(tar, StandardCharsets.UTF_8.name());
    TarArchiveEntry entry = null;
    try {
      while ((entry = in.getNextEntry()) != null) {
        applyEntry(in, entry);
        entry = null;
      }
    } catch (UnsafeLayerException | UnpackLimitException e) {
      throw e;
    } catch (FileSystemLoopException e) {
      throw unsafe(entry, "too many levels of symbolic links");
    } catch (InvalidPathException e) {
      throw unsafe(entry, "not a valid path: " + e.getReason());
    } catch (IOException e) {
      String where = entry == null ? "" : " entry \"" + entry.getName() + "\"";
      throw new IOException("layer " + layer + where + ": " + e, e);
    }
    drainTrailer(tar, layer);
  }

  /** Real tars end in at most a record of zero blocks; more is a bomb dressed as padding. */
  private static final int MAX_TRAILER = 1 << 20;

  /** Reads what follows the last entry (it belongs to the DiffID), but not without end. */
  private static void drainTrailer(InputStream tar, String layer) throws IOException {
    byte[] buffer = new byte[1 << 16];
    long trailing = 0;
    for (int n; (n = tar.read(buffer)) != -1; ) {
      trailing += n;
      if (trailing > MAX_TRAILER) {
        throw new IOException("layer " + layer + " has more than " + MAX_TRAILER
            + " bytes after its last tar entry; refusing to read on");
      }
    }
  }

  /** Sets directory modes and times, which applying children changes. Call once, at the end. */
  public void finish() throws IOException {
    directories.apply(root, metadata);
  }

  private void applyEntry(TarArchiveInputStream in, TarArchiveEntry entry) throws IOException {
    String name = clean(entry, entry.getName(), "path");
    if (name.isEmpty()) {
      rootEntry(entry);
      return;
    }
    if (Whiteouts.isMarker(name)) {
      if (!whiteouts.apply(name)) {
        throw unsafe(entry, "not a valid whiteout");
      }
      return;
    }
    String target = root.resolve(name);
    root.createDirectories(RootPath.parent(target), whiteouts::created);
    Path path = root.path(target);
    if (entry.isDirectory()) {
      directory(entry, target, path);
    } else if (entry.isSymbolicLink()) {
      Path link = Path.of(entry.getLinkName());
      try {
        Files.createSymbolicLink(path, link);
      } catch (FileAlreadyExistsException e) {
        remove(target);
        Files.createSymbolicLink(path, link);
      }
      metadata.owner(path, entry, true);
      metadata.times(path, entry);
    } else if (entry.isLink()) {
      hardlink(entry, target, path);
    } else if (isRegular(entry)) {
      regularFile(in, entry, target, path);
    } else if (Devices.isDevice(entry)) {
      if (!devices.allowed(entry)) {
        return; // and what lower layers put there stays
      }
      replace(target);
      devices.create(path, entry);
      metadata.owner(path, entry);
    } else {
      String type = String.valueOf((char) entry.getLinkFlag());
      notes.once("type " + type, "skipped entries of unsupported tar type '" + type + "'");
      return;
    }
    whiteouts.created(target);
  }

  // Refuses absolute names and names whose ".." climb above the root (they escape it).
  private String clean(TarArchiveEntry entry, String name, String what)
      throws UnsafeLayerException {
    Optional<String> clean = EntryNames.inside(name);
    if (clean.isEmpty()) {
      throw unsafe(entry, what + " escapes the root filesystem");
    }
    return clean.get();
  }

  private void rootEntry(TarArchiveEntry entry) throws IOException {
    if (!entry.isDirectory()) {
      throw unsafe(entry, "the root filesystem must be a directory");
    }
    metadata.owner(root.path(""), entry);
    directories.put("", Metadata.mode(entry), entry.getLastModifiedTime(), null);
  }

  private void directory(TarArchiveEntry entry, String target, Path path) throws IOException {
    boolean created = true;
    try {
      Files.createDirectory(path);
    } catch (FileAlreadyExistsException e) {
      BasicFileAttributes existing = root.attributes(target);
      if (existing == null || !existing.isDirectory()) {
        remove(target);
        Files.createDirectory(path);
      } else {
        created = false; // a lower layer's: keeps what is in it
      }
    }
    root.directoryCreated(target);
    metadata.owner(path, entry, created);
    metadata.xattrs(path, entry);
    directories.put(
        target, Metadata.mode(entry), entry.getLastModifiedTime(), entry.getLastAccessTime());
  }

  private void hardlink(TarArchiveEntry entry, String target, Path path) throws IOException {
    String what = "hardlink target \"" + entry.getLinkName() + "\"";
    String source = root.resolve(clean(entry, entry.getLinkName(), what));
    BasicFileAttributes existing = root.attributes(source);
    if (existing == null) {
      throw unsafe(entry, what + " does not exist");
    }
    if (existing.isDirectory()) {
      throw unsafe(entry, what + " is a directory");
    }
    if (!source.equals(target)) {
      Path linked = root.path(source);
      try {
        Files.createLink(path, linked); // link(2) does not follow a symlink source
      } catch (FileAlreadyExistsException e) {
        remove(target);
        Files.createLink(path, linked);
      }
    }
  }

  private void regularFile(InputStream in, TarArchiveEntry entry, String target, Path path)
      throws IOException {
    if (entry.getSize() > options.maxBytes() - written) {
      throw new UnpackLimitException(layer, options.maxBytes());
    }
    if (buffer == null) {
      buffer = new byte[BUFFER_SIZE];
    }
    FileAttribute<?> finalMode = metadata.finalModeAtCreation(entry);
    try (FileChannel out = createFile(target, path, finalMode)) {
      for (int n; (n = in.read(buffer)) != -1; ) {
        written += n;
        if (written > options.maxBytes()) {
          throw new UnpackLimitException(layer, options.maxBytes());
        }
        ByteBuffer data = ByteBuffer.wrap(buffer, 0, n);
        while (data.hasRemaining()) {
          out.write(data);
        }
      }
    }
    metadata.owner(path, entry, true);
    metadata.xattrs(path, entry);
    metadata.times(path, entry);
    if (finalMode == null) {
      metadata.mode(path, Metadata.mode(entry));
    }
  }

  // Creates first and makes room only when something is there: most entries are new, and a
  // lookup that finds nothing costs the JDK an exception.
  private FileChannel createFile(String target, Path path, FileAttribute<?> mode)
      throws IOException {
    FileAttribute<?>[] attributes = mode == null ? new FileAttribute<?>[0] : new FileAttribute<?>[] {mode};
    try {
      return FileChannel.open(path, NEW_FILE, attributes);
    } catch (FileAlreadyExistsException e) {
      remove(target);
      return FileChannel.open(path, NEW_FILE, attributes);
    }
  }

  private static boolean isRegular(TarArchiveEntry entry) {
    byte type = entry.getLinkFlag();
    return type == TarConstants.LF_NORMAL
        || type == TarConstants.LF_OLDNORM
        || type == TarConstants.LF_CONTIG
        || type == TarConstants.LF_GNUTYPE_SPARSE;
  }

  // Makes room for an entry: whatever is at the name goes, a symlink itself rather than its target.
  private void replace(String name) throws IOException {
    if (root.attributes(name) != null) {
      remove(name);
    }
  }

  private void remove(String name) throws IOException {
    root.delete(name);
    directories.forget(name);
  }

  private UnsafeLayerException unsafe(TarArchiveEntry entry, String reason) {
    return new UnsafeLayerException(layer, entry == null ? "" : entry.getName(), reason);
  }

  /**
   * How to apply layers.
   *
   * @param applyOwnership set uid and gid and create device nodes; true when running as root
   * @param maxBytes regular file data allowed across all layers before {@link UnpackLimitException}
   */
  public record Options(boolean applyOwnership, long maxBytes) {
    public Options {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes < 0: " + maxBytes);
      }
    }
  }
}
