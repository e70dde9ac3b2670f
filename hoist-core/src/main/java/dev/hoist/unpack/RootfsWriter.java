package dev.hoist.unpack;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Builds a root filesystem layer by layer, strictly in order, in a temporary sibling of the
 * target directory, and moves it into place only when every layer applied and every DiffID
 * verified. A failed or abandoned unpack leaves no directory behind that could pass for an image,
 * and what a killed one left is removed by the next unpack to the same target ({@link
 * WorkDirectory}).
 *
 * <p>Each layer is read once: the decompressed stream is hashed for its DiffID while the tar
 * entries are applied. Not thread-safe: layers come one at a time.
 */
public final class RootfsWriter implements AutoCloseable {
  private final Path target;
  private final WorkDirectory work;
  private final LayerApplier applier;

  private RootfsWriter(Path target, WorkDirectory work, LayerApplier applier) {
    this.target = target;
    this.work = work;
    this.applier = applier;
  }

  /**
   * Starts a root filesystem for {@code target}, which must not exist or be an empty directory.
   *
   * @param notes receives what could not be applied (ownership when not root, device nodes, ...)
   */
  public static RootfsWriter create(Path target, UnpackOptions options, Consumer<String> notes)
      throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !isEmptyDirectory(absolute)) {
      throw new IOException(absolute + " already exists and is not an empty directory");
    }
    Files.createDirectories(absolute.getParent());
    WorkDirectory work = WorkDirectory.create(absolute);
    try {
      LayerApplier.Options applierOptions =
          new LayerApplier.Options(options.applyOwnership(), options.maxBytes());
      return new RootfsWriter(absolute, work, new LayerApplier(work.path(), applierOptions, notes));
    } catch (RuntimeException e) {
      work.close();
      throw e;
    }
  }

  /**
   * Applies the next layer from its compressed bytes, and checks its DiffID against the config.
   *
   * @param progress receives the number of compressed bytes read so far
   * @throws dev.hoist.image.DigestMismatchException if the uncompressed tar is not the DiffID
   */
  public void apply(Descriptor layer, Digest diffId, InputStream compressed, LongConsumer progress)
      throws IOException {
    CountingInputStream counted = new CountingInputStream(compressed, progress);
    MessageDigest hasher = diffId.newHasher();
    // Decompression and hashing run a few chunks ahead, on a second core, of the file writes.
    InputStream decompressed = new DigestInputStream(Decompression.open(layer, counted), hasher);
    try (InputStream tar = new ReadAheadInputStream(
        decompressed, "hoist-decompress-" + layer.digest().shortHex())) {
      applier.apply(tar, layer.digest().toString()); // reads the stream to its end
    }
    Digest actual = Digest.of(diffId.algorithm(), hasher.digest());
    if (!actual.equals(diffId)) {
      throw new dev.hoist.image.DigestMismatchException(
          "layer " + layer.digest() + ": DiffID mismatch: got " + actual + ", want " + diffId
              + " (the layer does not match the image configuration)",
          diffId);
    }
  }

  /** Finishes the tree (directory times) and moves it to the target, atomically. */
  public void publish() throws IOException {
    applier.finish();
    try {
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(target); // empty, as checked at the start
      }
      work.moveTo(target);
    } catch (FileSystemException e) { // not empty, not a directory, already there: theirs now
      if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) || isEmptyDirectory(target)) {
        throw e;
      }
      throw new IOException(target + " was filled by something else while the image was unpacked;"
          + " it is left as it is, and the unpacked tree is discarded", e);
    }
  }

  /** The directory the root filesystem ends up in. */
  public Path target() {
    return target;
  }

  /** Removes the unfinished tree unless it was published. */
  @Override
  public void close() throws IOException {
    work.close();
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  /** Deletes a tree without following symbolic links, making directories writable as needed. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        dir.toFile().setWritable(true, true);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
