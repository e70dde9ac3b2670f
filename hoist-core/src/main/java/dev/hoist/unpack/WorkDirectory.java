package dev.hoist.unpack;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The hidden sibling {@code .NAME.hoist-N} a root filesystem is built in before it is renamed to
 * {@code NAME}, and the lock that tells a running unpack from an abandoned one. A process killed
 * mid-unpack cannot remove its work directory; the next unpack to the same target finds it
 * abandoned and removes it, as containerd removes the snapshots of extractions cut short.
 *
 * <p>The lock is an operating-system file lock, which dies with its process, on {@code
 * .NAME.hoist-N.lock}: taken before the directory is made and given up after it is gone, so a work
 * directory whose lock file can be locked is abandoned. Only lock files of the user running the
 * unpack are tried. The lock files this JVM uses are also listed in memory, from before they exist, and never
 * opened by a sweep: closing any descriptor of a file drops the process's locks on it. On a file
 * system without locks, unpacks go on and nothing is swept.
 */
final class WorkDirectory implements AutoCloseable {
  private static final String LOCK = ".lock";
  private static final int ATTEMPTS = 100;
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

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
    // The real parent: the same lock file always has the same name in HELD.
    Path parent = target.getParent().toRealPath();
    String prefix = "." + target.getFileName() + ".hoist-";
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      String name = prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong());
      Path lockFile = parent.resolve(name + LOCK);
      HELD.add(lockFile);
      FileChannel channel;
      try {
        channel = FileChannel.open(lockFile, CREATE_NEW, WRITE, NOFOLLOW_LINKS);
      } catch (FileAlreadyExistsException e) {
        HELD.remove(lockFile);
        continue;
      } catch (IOException | RuntimeException e) {
        HELD.remove(lockFile);
        throw e;
      }
      try {
        // Another process's sweep may lock it first; it deletes the file before letting go.
        if (lockedOrUnsupported(channel) && Files.exists(lockFile, NOFOLLOW_LINKS)) {
          removeAbandoned(parent, prefix, uidOf(lockFile)); // the user's: as our own lock file's
          Path path = parent.resolve(name);
          Files.createDirectory(path);
          return new WorkDirectory(path, lockFile, channel);
        }
      } catch (FileAlreadyExistsException e) {
        Files.deleteIfExists(lockFile); // a directory of that name is there, not ours
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(lockFile);
        release(lockFile, channel);
        throw e;
      }
      release(lockFile, channel);
    }
    throw new IOException("could not make a work directory next to " + target + " in "
        + ATTEMPTS + " attempts: the names kept being taken");
  }

  /** False when another process holds the lock; true when it is ours or locks are unsupported. */
  private static boolean lockedOrUnsupported(FileChannel channel) throws IOException {
    try {
      return channel.tryLock() != null;
    } catch (ClosedChannelException e) {
      throw e; // interrupted: not a file system without locks
    } catch (IOException e) {
      return true; // no locks here (ENOLCK, EOPNOTSUPP): the lock file alone keeps sweeps away
    }
  }

  /** The directory to build in. */
  Path path() {
    return path;
  }

  /** Moves the directory to {@code target}: it is no longer this work directory's to remove. */
  void moveTo(Path target) throws IOException {
    Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
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

  /**
   * Best effort: what cannot be removed (another user's, in use, a file system error) stays, and
   * the unpack goes on as it would have without the sweep.
   */
  private static void removeAbandoned(Path parent, String prefix, Object uid) {
    if (uid == null) {
      return; // whose files are whose is unknown here: sweep nothing
    }
    List<Path> lockFiles = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(parent, p -> isLockFileName(p.getFileName().toString(), prefix))) {
      entries.forEach(lockFiles::add);
    } catch (IOException | RuntimeException e) { // DirectoryIteratorException included
      return;
    }
    for (Path lockFile : lockFiles) {
      try {
        if (!HELD.contains(lockFile) && uid.equals(uidOf(lockFile))) {
          removeIfUnlocked(lockFile);
        }
      } catch (IOException | OverlappingFileLockException e) {
        // in use, gone meanwhile, or not ours to remove
      }
    }
  }

  private static Object uidOf(Path path) {
    try {
      return Files.getAttribute(path, "unix:uid", NOFOLLOW_LINKS);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }

  /** {@code prefix}, the digits of a work directory's name, then {@link #LOCK}. */
  private static boolean isLockFileName(String name, String prefix) {
    int end = name.length() - LOCK.length();
    if (!name.startsWith(prefix) || !name.endsWith(LOCK) || end <= prefix.length()) {
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
    try (FileChannel channel = FileChannel.open(lockFile, WRITE, NOFOLLOW_LINKS);
        FileLock lock = channel.tryLock()) {
      if (lock != null) { // its process is gone
        String name = lockFile.getFileName().toString();
        RootfsWriter.deleteTree(lockFile.resolveSibling(name.substring(0, name.length() - LOCK.length())));
        Files.deleteIfExists(lockFile);
      }
    } catch (NoSuchFileException e) {
      // removed meanwhile by its owner or another sweep
    }
  }
}
