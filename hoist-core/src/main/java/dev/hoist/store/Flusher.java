package dev.hoist.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Flushes an ingest file to disk in the background while the download goes on, so that the
 * {@code fsync} a commit needs finds little left to write. Without it the kernel holds a whole
 * large layer in dirty pages and the commit waits for all of it at once, after the last byte.
 */
final class Flusher {
  private static final long FLUSH_EVERY = 64L << 20;
  private static final ExecutorService FLUSHES = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hoist-flush");
    t.setDaemon(true);
    return t;
  });

  private final FileChannel channel;
  private long unflushed;
  private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

  Flusher(FileChannel channel) {
    this.channel = channel;
  }

  /** Counts written bytes; starts a background flush every 64 MiB, one at a time. */
  void wrote(long bytes) {
    unflushed += bytes;
    if (unflushed >= FLUSH_EVERY && pending.isDone()) {
      unflushed = 0;
      pending = CompletableFuture.runAsync(() -> {
        try {
          channel.force(false);
        } catch (IOException e) {
          // The final force at commit reports what matters; a failed early flush is only lost time.
        }
      }, FLUSHES);
    }
  }

  /** Waits for a running background flush, then flushes the rest, data and metadata. */
  void finish() throws IOException {
    try {
      pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while flushing");
    } catch (ExecutionException e) {
      // ignored as above
    }
    channel.force(true);
  }
}
