package dev.hoist.unpack;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hidden sibling {@code .NAME.hoist-N} a root filesystem is built in before it is renamed to
 * {@code NAME}, and the lock that tells a running unpack from an abandoned one. A process killed
 * mid-unpack cannot remove its work directory; the next unpack to the same target finds it
 * abandoned and removes it, as containerd removes the snapshots of extractions cut short.
 *
 * <p>The lock is an operating-system file lock, which dies with its process, on {@code
 * .NAME.hoist-N.lock}: taken before the directory is made and given up after it is gone, so a work
 * directory whose lock file is missing or can be locked is abandoned. The locks this JVM holds are
 * also listed in memory and never opened by a sweep: closing any descriptor of a file drops the
 * process's locks on it.
 */
final class WorkDirectory implements AutoCloseable {
  private static final String LOCK = ".lock";
  private static final int ATTEMPTS = 100;
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
  // One sweep or creation at a time in this JVM: a sweep never opens a lock file being created.
  private static final Object SWEEPING = new Object();

  private final Path path;
  private final Path lockFile;
  private final FileChannel lockChannel;
  private boolean moved;

  private WorkDirectory(Path path, Path lockFile, FileChannel lockChannel) {
    this.path = path;
    this.lockFile = lockFile;
    this.lockChannel = lockChannel;
  }

  /**
   * Removes the abandoned work directories of {@code target}, then makes a new one, locked.
   *
   * @param target an absolute, normalized path whose parent exists
   */
  static WorkDirectory create(Path target) throws IOException {
    synchronized (SWEEPING) {
      Path parent = target.getParent();
      String prefix = "." + target.getFileName() + ".hoist-";
      removeAbandoned(parent, prefix);
      return createLocked(parent, prefix, target);
    }
  }

  private static WorkDirectory createLocked(Path parent, String prefix, Path target)
      throws IOException {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Path lockFile = Files.createTempFile(parent, prefix, LOCK);
      HELD.add(lockFile);
      FileChannel channel = FileChannel.open(lockFile, WRITE, NOFOLLOW_LINKS);
      try {
        // Another process sweeping may hold it for a moment, and deletes it before letting go.
        if (locked(channel) && Files.exists(lockFile, NOFOLLOW_LINKS)) {
          Path path = directoryOf(lockFile);
          Files.createDirectory(path);
          return new WorkDirectory(path, lockFile, channel);
        }
      } catch (FileAlreadyExistsException e) {
        Files.deleteIfExists(lockFile); // an abandoned directory without a lock has this name
      } catch (IOException | RuntimeException e) {
        release(lockFile, channel);
        throw e;
      }
      release(lockFile, channel);
    }
    throw new IOException("could not make a work directory next to " + target + " in "
        + ATTEMPTS + " attempts: other processes keep unpacking there");
  }

  private static boolean locked(FileChannel channel) {
    try {
      return channel.tryLock() != null;
    } catch (IOException e) {
      return true; // a file system without locks: the lock file alone keeps sweeps away
    }
  }

  /** The directory to build in. */
  Path path() {
    return path;
  }

  /** Moves the directory to {@code target}: it is no longer this work directory's to remove. */
  void moveTo(Path target) throws IOException {
    Files.move(path, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    moved = true;
  }

  /** Removes the directory unless it was moved, then its lock file, then gives up the lock. */
  @Override
  public void close() throws IOException {
    try {
      if (!moved) {
        RootfsWriter.deleteTree(path);
      }
      Files.deleteIfExists(lockFile);
    } finally {
      release(lockFile, lockChannel);
    }
  }

  private static void release(Path lockFile, FileChannel channel) throws IOException {
    try {
      channel.close(); // and the lock with it
    } finally {
      HELD.remove(lockFile);
    }
  }

  private static Path directoryOf(Path lockFile) {
    String name = lockFile.getFileName().toString();
    return lockFile.resolveSibling(name.substring(0, name.length() - LOCK.length()));
  }

  private static Path lockFileOf(Path directory) {
    return directory.resolveSibling(directory.getFileName() + LOCK);
  }

  /**
   * Best effort: what cannot be removed (another user's, a file system error) stays, and the
   * unpack goes on, as it would have without the sweep.
   */
  private static void removeAbandoned(Path parent, String prefix) {
    List<Path> candidates = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(parent, p -> isWorkName(p.getFileName().toString(), prefix))) {
      entries.forEach(candidates::add);
    } catch (IOException e) {
      return;
    }
    for (Path entry : candidates) {
      try {
        if (entry.getFileName().toString().endsWith(LOCK)) {
          removeIfUnlocked(entry);
        } else if (Files.isDirectory(entry, NOFOLLOW_LINKS)
            && !Files.exists(lockFileOf(entry), NOFOLLOW_LINKS)) {
          RootfsWriter.deleteTree(entry); // made before there were locks, or its lock was removed
        }
      } catch (IOException | OverlappingFileLockException e) {
        // in use, gone meanwhile, or not ours to remove
      }
    }
  }

  /** {@code prefix} then the digits {@link Files#createTempFile} adds, then perhaps {@link #LOCK}. */
  private static boolean isWorkName(String name, String prefix) {
    if (!name.startsWith(prefix)) {
      return false;
    }
    int end = name.endsWith(LOCK) ? name.length() - LOCK.length() : name.length();
    if (end == prefix.length()) {
      return false;
    }
    for (int i = prefix.length(); i < end; i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static void removeIfUnlocked(Path lockFile) throws IOException {
    if (HELD.contains(lockFile)) {
      return; // an unpack of this JVM: opening the file would drop its lock
    }
    try (FileChannel channel = FileChannel.open(lockFile, WRITE, NOFOLLOW_LINKS);
        FileLock lock = channel.tryLock()) {
      if (lock != null) { // its process is gone
        RootfsWriter.deleteTree(directoryOf(lockFile));
        Files.deleteIfExists(lockFile);
      }
    }
  }
}
