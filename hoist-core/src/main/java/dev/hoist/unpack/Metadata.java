package dev.hoist.unpack;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Applies a tar entry's ownership, mode, times and xattrs to the path created for it, never
 * following a link. The JDK opens the file to set a mode, times or xattrs, so these are for regular
 * files and directories only (opening a FIFO would block); symlinks get ownership and times, which
 * the JDK sets with {@code lchown} and {@code lutimes}.
 */
final class Metadata {
  private static final String XATTR = "SCHILY.xattr.";
  private static final String USER = "user.";

  private final boolean applyOwnership;
  private final Notes notes;

  Metadata(boolean applyOwnership, Notes notes) {
    this.applyOwnership = applyOwnership;
    this.notes = notes;
  }

  /** The permission bits of an entry, with setuid, setgid and sticky; no file type bits. */
  static int mode(TarArchiveEntry entry) {
    return entry.getMode() & 07777;
  }

  /** Sets uid and gid (lchown) when running as root; otherwise says, once, that it did not. */
  void owner(Path path, TarArchiveEntry entry) throws IOException {
    if (!applyOwnership) {
      notes.once("owner", "ownership not applied (not root)");
      return;
    }
    Files.setAttribute(path, "unix:uid", id(entry.getLongUserId()), NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", id(entry.getLongGroupId()), NOFOLLOW_LINKS);
  }

  // Linux ids are unsigned 32-bit; the JDK takes them as int and passes the same bits on.
  private static int id(long id) throws IOException {
    if (id < 0 || id > 0xFFFF_FFFFL) {
      throw new IOException("uid or gid out of range: " + id);
    }
    return (int) id;
  }

  /** Sets the mode last: a chown clears setuid, and the JDK needs to open the file for times. */
  void mode(Path path, int mode) throws IOException {
    Files.setAttribute(path, "unix:mode", mode, NOFOLLOW_LINKS);
  }

  void times(Path path, FileTime modified, FileTime accessed) throws IOException {
    Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW_LINKS)
        .setTimes(modified, accessed == null ? modified : accessed, null);
  }

  void times(Path path, TarArchiveEntry entry) throws IOException {
    times(path, entry.getLastModifiedTime(), entry.getLastAccessTime());
  }

  /**
   * Writes {@code user.*} xattrs from PAX {@code SCHILY.xattr.*} records where the filesystem
   * allows; notes, once per namespace, the ones it cannot write. Values are read as UTF-8 text.
   */
  void xattrs(Path path, TarArchiveEntry entry) {
    for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
      if (!header.getKey().startsWith(XATTR)) {
        continue;
      }
      String name = header.getKey().substring(XATTR.length());
      if (!name.startsWith(USER)) {
        String namespace = name.substring(0, Math.max(name.indexOf('.'), 0));
        notes.once("xattr " + namespace, "xattrs such as " + name + " not applied");
        continue;
      }
      try {
        Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, NOFOLLOW_LINKS)
            .write(
                name.substring(USER.length()),
                ByteBuffer.wrap(header.getValue().getBytes(StandardCharsets.UTF_8)));
      } catch (IOException | UnsupportedOperationException e) {
        notes.once("xattr user", "user xattrs not applied (" + e.getMessage() + ")");
      }
    }
  }
}
