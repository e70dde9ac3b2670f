package dev.hoist.transfer;

import dev.hoist.store.Ingest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.function.LongConsumer;

/**
 * The copy loop: connection to ingest file, with progress at most ten times a second; readers
 * following the download ({@code written}) hear of every write, so an unpacker never waits on it.
 */
final class Copier {
  private static final int BUFFER_SIZE = 1 << 20;
  private static final long REPORT_INTERVAL_NANOS = 100_000_000L;

  private Copier() {}

  static void copy(
      InputStream in, Ingest ingest, Progress progress, BlobDownloader.Counter fetched,
      LongConsumer written) throws IOException {
    byte[] buffer = new byte[BUFFER_SIZE];
    long total = ingest.descriptor().size();
    long lastReport = System.nanoTime();
    written.accept(ingest.offset());
    progress.downloading(ingest.offset(), total);
    int n;
    while ((n = in.read(buffer)) >= 0) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("download of " + ingest.descriptor().digest() + " cancelled");
      }
      ingest.write(buffer, 0, n);
      written.accept(ingest.offset());
      fetched.bytes += n;
      long now = System.nanoTime();
      if (now - lastReport > REPORT_INTERVAL_NANOS) {
        progress.downloading(ingest.offset(), total);
        lastReport = now;
      }
    }
    progress.downloading(ingest.offset(), total);
  }
}
