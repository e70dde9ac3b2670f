package dev.hoist.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps deletions away from content in use. A pull commits its blobs before the index entry
 * that references them, so a collector that deleted every unreferenced blob meanwhile would leave
 * the new entry pointing at nothing. Whatever adds or reads content (pull, load, unpack, save)
 * holds a <em>shared</em> lease from before its first blob to after its last index write; whatever
 * deletes blobs (rmi, prune, gc) holds it <em>exclusively</em>, so it waits for them and they wait
 * for it. containerd protects content the same way with leases, per resource; hoist's is one per
 * store.
 *
 * <p>Holds across threads (any thread may close a lease) and processes (a shared or exclusive {@link
 * FileLock} on {@code .hoist/gc.lock}, which the operating system releases if a process dies).
 */
public final class StoreLease implements AutoCloseable {
  /** The in-process state of one store's lease file: shared holders share one file lock. */
  private static final class State {
    int sharedHolders;
    boolean exclusiveHeld;
    FileChannel sharedChannel;
    FileLock sharedLock;
  }

  private static final ConcurrentHashMap<Path, State> STATES = new ConcurrentHashMap<>();

  private final State state;
  private final Path file;
  private final boolean exclusive;
  private FileChannel exclusiveChannel;
  private FileLock exclusiveLock;
  private boolean closed;

  private StoreLease(State state, Path file, boolean exclusive) {
    this.state = state;
    this.file = file;
    this.exclusive = exclusive;
  }

  static StoreLease shared(Path file) throws IOException {
    StoreLease lease = new StoreLease(state(file), file, false);
    lease.acquireShared();
    return lease;
  }

  static StoreLease exclusive(Path file) throws IOException {
    StoreLease lease = new StoreLease(state(file), file, true);
    lease.acquireExclusive();
    return lease;
  }

  private static State state(Path file) {
    return STATES.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new State());
  }

  /** True for a collector's lease, false for a shared one. */
  public boolean isExclusive() {
    return exclusive;
  }

  private void acquireShared() throws IOException {
    synchronized (state) {
      while (state.exclusiveHeld) {
        await();
      }
      if (state.sharedHolders == 0) {
        FileChannel channel = open();
        try {
          state.sharedLock = FileLocks.poll(channel, true, file);
        } catch (IOException | RuntimeException e) {
          channel.close();
          throw e;
        }
        state.sharedChannel = channel;
      }
      state.sharedHolders++;
    }
  }

  private void acquireExclusive() throws IOException {
    synchronized (state) {
      while (state.exclusiveHeld || state.sharedHolders > 0) {
        await();
      }
      state.exclusiveHeld = true;
    }
    try {
      FileChannel channel = open();
      try {
        exclusiveLock = FileLocks.poll(channel, false, file);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      exclusiveChannel = channel;
    } catch (IOException | RuntimeException e) {
      synchronized (state) {
        state.exclusiveHeld = false;
        state.notifyAll();
      }
      throw e;
    }
  }

  private void await() throws InterruptedIOException {
    try {
      state.wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + file);
    }
  }

  private FileChannel open() throws IOException {
    Files.createDirectories(file.getParent());
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** Releases the lease; later calls do nothing. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (state) {
      try {
        if (exclusive) {
          state.exclusiveHeld = false;
          exclusiveLock.release();
          exclusiveChannel.close();
        } else if (--state.sharedHolders == 0) {
          FileLock lock = state.sharedLock;
          FileChannel channel = state.sharedChannel;
          state.sharedLock = null;
          state.sharedChannel = null;
          try {
            lock.release();
          } finally {
            channel.close();
          }
        }
      } finally {
        state.notifyAll();
      }
    }
  }
}
