package dev.hoist.transfer;

import dev.hoist.store.Ingest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/** The copy loop: connection to ingest file, with progress at most ten times a second. */
final class Copier {
  private static final int BUFFER_SIZE = 1 << 20;
  private static final long REPORT_INTERVAL_NANOS = 100_000_000L;

  private Copier() {}

  static void copy(InputStream in, Ingest ingest, Progress progress, BlobDownloader.Counter fetched)
      throws IOException {
    byte[] buffer = new byte[BUFFER_SIZE];
    long total = ingest.descriptor().size();
    long lastReport = System.nanoTime();
    progress.downloading(ingest.offset(), total);
    int n;
    while ((n = in.read(buffer)) >= 0) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("download of " + ingest.descriptor().digest() + " cancelled");
      }
      ingest.write(buffer, 0, n);
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
