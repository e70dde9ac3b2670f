package dev.hoist.unpack;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
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
  private final Defaults defaults;

  Metadata(boolean applyOwnership, Notes notes, Defaults defaults) {
    this.applyOwnership = applyOwnership;
    this.notes = notes;
    this.defaults = defaults;
  }

  /**
   * What a file created in the root gets without being told: its owner, group and the mode bits
   * the umask clears. Knowing them saves a chown and a chmod per file, the common case in images
   * (root-owned files, modes such as 0644 and 0755). Null fields mean unknown: always apply.
   */
  record Defaults(Long uid, Long gid, Integer umask) {
    static final Defaults UNKNOWN = new Defaults(null, null, null);

    /** Creates, reads and deletes a file in {@code dir}, which nothing else writes to. */
    static Defaults probe(Path dir) {
      try {
        Path probe = Files.createTempFile(dir, ".hoist-probe-", "",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        try {
          Map<String, Object> a = Files.readAttributes(probe, "unix:uid,gid,mode", NOFOLLOW_LINKS);
          return new Defaults(
              Integer.toUnsignedLong((Integer) a.get("uid")),
              Integer.toUnsignedLong((Integer) a.get("gid")),
              ~(Integer) a.get("mode") & 0777);
        } finally {
          Files.delete(probe);
        }
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        return UNKNOWN; // no unix view, or the probe failed: apply everything explicitly
      }
    }
  }

  /** The permission bits of an entry, with setuid, setgid and sticky; no file type bits. */
  static int mode(TarArchiveEntry entry) {
    return entry.getMode() & 07777;
  }

  /** Sets uid and gid (lchown) when running as root; otherwise says, once, that it did not. */
  void owner(Path path, TarArchiveEntry entry) throws IOException {
    owner(path, entry, false);
  }

  /**
   * As {@link #owner(Path, TarArchiveEntry)}; {@code created} says this applier just created the
   * path, so it already has the {@link Defaults} owner and needs no chown when that is the entry's.
   */
  void owner(Path path, TarArchiveEntry entry, boolean created) throws IOException {
    if (!applyOwnership) {
      notes.once("owner", "ownership not applied (not root)");
      return;
    }
    if (created && Long.valueOf(entry.getLongUserId()).equals(defaults.uid())
        && Long.valueOf(entry.getLongGroupId()).equals(defaults.gid())) {
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

  /**
   * The permissions to create a regular file with so that it needs no chmod afterwards, or null
   * when it does: special bits (a chown would clear them), bits the umask clears, or xattrs to
   * write first (a read-only file would refuse them).
   */
  FileAttribute<Set<PosixFilePermission>> finalModeAtCreation(TarArchiveEntry entry) {
    int mode = mode(entry);
    if (defaults.umask() == null || (mode & ~0777) != 0 || (mode & defaults.umask()) != 0
        || hasXattrs(entry)) {
      return null;
    }
    return PosixFilePermissions.asFileAttribute(permissions(mode));
  }

  private static boolean hasXattrs(TarArchiveEntry entry) {
    for (String key : entry.getExtraPaxHeaders().keySet()) {
      if (key.startsWith(XATTR)) {
        return true;
      }
    }
    return false;
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (0400 >> i)) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
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
