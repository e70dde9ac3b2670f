package dev.hoist.auth;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Reads docker's {@code config.json} as a whole JSON tree, so that every key hoist does not know
 * survives a rewrite, and writes it back the way docker's {@code ConfigFile.Save} does: to a
 * temporary file in the same directory, renamed over the file (through a symbolic link to its
 * target, so dotfile set-ups keep their link), keeping the old file's owner. Unlike docker, the
 * mode is always {@code 0600}: the file holds secrets. A missing directory is created {@code 0700}.
 */
final class ConfigJsonFile {
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

  /** Docker writes {@code json.MarshalIndent(config, "", "\t")}: tabs, and {@code "key": value}. */
  private static final ObjectWriter WRITER =
      new ObjectMapper()
          .writer(
              new DefaultPrettyPrinter()
                  .withSeparators(
                      Separators.createDefaultInstance()
                          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                          .withObjectEmptySeparator("")
                          .withArrayEmptySeparator(""))
                  .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                  .withArrayIndenter(new DefaultIndenter("\t", "\n")));

  private ConfigJsonFile() {}

  /** The file's content as an object; a missing or empty file is an empty object. */
  static ObjectNode read(Path file) throws IOException {
    try {
      return ConfigJson.tree(file.toString(), Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return ConfigJson.tree(file.toString(), new byte[0]);
    }
  }

  /** Replaces the file with {@code root}, atomically: readers see the old or the new file. */
  static void write(Path file, ObjectNode root) throws IOException {
    Path target = Files.exists(file) ? file.toRealPath() : file; // write through a symlink
    Path dir = target.toAbsolutePath().getParent();
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
      } else {
        Files.createDirectories(dir);
      }
    }
    FileAttribute<?>[] mode =
        posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)} : new FileAttribute<?>[0];
    Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp", mode);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(WRITER.writeValueAsBytes(root));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      if (posix) {
        Files.setPosixFilePermissions(temp, FILE_MODE); // whatever the umask
        keepOwner(target, temp);
      }
      move(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Gives the new file the old one's owner and group, as docker does, so that {@code sudo hoist
   * login} does not take the user's file away. Only root may; for others this is a no-op.
   */
  private static void keepOwner(Path old, Path replacement) throws IOException {
    PosixFileAttributes before;
    try {
      before = Files.readAttributes(old, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    PosixFileAttributeView view =
        Files.getFileAttributeView(replacement, PosixFileAttributeView.class);
    PosixFileAttributes now = view.readAttributes();
    try {
      if (!now.owner().equals(before.owner())) {
        view.setOwner(before.owner());
      }
      if (!now.group().equals(before.group())) {
        view.setGroup(before.group());
      }
    } catch (FileSystemException e) {
      // Not root, or a file system without owners: the new file stays ours, as docker's does.
    }
  }
}
