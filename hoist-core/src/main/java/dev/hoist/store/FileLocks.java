package dev.hoist.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;

/**
 * Waits for a file lock by polling. A blocking {@code fcntl} wait would let Linux report a false
 * deadlock ({@code EDEADLK}) when two processes each hold one lock on one thread and wait for the
 * other's on another: the kernel sees processes, not threads.
 */
final class FileLocks {
  private FileLocks() {}

  static FileLock poll(FileChannel channel, boolean shared, Path lockFile) throws IOException {
    long sleepMillis = 5;
    while (true) {
      FileLock lock = channel.tryLock(0, Long.MAX_VALUE, shared);
      if (lock != null) {
        return lock;
      }
      try {
        Thread.sleep(sleepMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for " + lockFile);
      }
      sleepMillis = Math.min(sleepMillis * 2, 100);
    }
  }
}
