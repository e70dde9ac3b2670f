package dev.hoist.transfer;

import dev.hoist.image.Descriptor;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.BlobStream;
import dev.hoist.registry.RegistryClient;
import dev.hoist.store.Ingest;
import dev.hoist.store.OciStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Semaphore;

/**
 * Moves blobs from a registry into the store, each byte once: read from the connection, written
 * to the blob's ingest file and hashed in the same pass, committed only after the digest
 * verified. A partial left by an interrupted download (this process or a killed one) is resumed
 * with a range request; if the resumed blob fails verification it is fetched once more from zero.
 *
 * <p>At most {@code maxConcurrent} downloads run at once across every pull sharing this
 * downloader, as docker's {@code max-concurrent-downloads}. Thread-safe.
 */
public final class BlobDownloader {
  private static final int BUFFER_SIZE = 1 << 20;

  private final RegistryClient client;
  private final OciStore store;
  private final Semaphore slots;

  /** Receives a download's progress; called on the downloading thread. */
  public interface Progress {
    Progress NONE = new Progress() {};

    /** The download waits for a free slot. */
    default void waiting() {}

    /** {@code current} of {@code total} bytes are in the store's ingest file. */
    default void downloading(long current, long total) {}

    /** Every byte arrived; the digest is being checked. */
    default void verifying() {}
  }

  public BlobDownloader(RegistryClient client, OciStore store, int maxConcurrent) {
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent < 1: " + maxConcurrent);
    }
    this.client = client;
    this.store = store;
    this.slots = new Semaphore(maxConcurrent, true);
  }

  /**
   * Makes sure the blob is in the store, downloading what is missing.
   *
   * @return the number of bytes fetched from the registry (0 when the store had the blob)
   * @throws DigestMismatchException when the registry's bytes are not the blob asked for
   */
  public long fetch(ImageReference repository, Descriptor blob, Progress progress)
      throws IOException {
    return fetch(blob, progress, offset -> client.openBlob(repository, blob.digest(), offset));
  }

  /**
   * Makes sure a foreign (non-distributable) layer is in the store, fetching it from the first of
   * its descriptor's {@code urls} that answers; verified like any other blob.
   */
  public long fetchFromUrls(ImageReference repository, Descriptor blob, Progress progress)
      throws IOException {
    return fetch(blob, progress, offset -> {
      IOException last = null;
      for (String url : blob.urls()) {
        try {
          return client.openUrl(repository, java.net.URI.create(url));
        } catch (IOException e) {
          last = e;
        } catch (IllegalArgumentException e) {
          last = new IOException("layer " + blob.digest() + " has an invalid URL", e);
        }
      }
      throw last != null ? last : new IOException("layer " + blob.digest() + " has no URLs");
    });
  }

  /** Where a blob's bytes come from, starting at an offset the source may ignore. */
  private interface Source {
    BlobStream open(long offset) throws IOException;
  }

  private long fetch(Descriptor blob, Progress progress, Source source) throws IOException {
    if (store.contains(blob.digest())) {
      return 0;
    }
    if (!slots.tryAcquire()) {
      progress.waiting();
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("download of " + blob.digest() + " cancelled");
      }
    }
    try (Ingest ingest = store.ingest(blob)) {
      if (ingest.isComplete()) {
        return 0; // another pull committed it while we waited for the blob's lock
      }
      boolean resumed = ingest.offset() > 0;
      try {
        return transfer(source, ingest, progress);
      } catch (DigestMismatchException e) {
        if (!resumed) {
          throw e;
        }
        // The partial we resumed from may have been bad, not the registry: one fresh attempt.
        ingest.truncate();
        return transfer(source, ingest, progress);
      }
    } finally {
      slots.release();
    }
  }

  private static long transfer(Source source, Ingest ingest, Progress progress) throws IOException {
    Descriptor blob = ingest.descriptor();
    long fetched = 0;
    if (ingest.offset() < blob.size()) {
      try (BlobStream stream = source.open(ingest.offset())) {
        if (stream.offset() != ingest.offset()) {
          ingest.truncate();
        }
        fetched = copy(stream.body(), ingest, progress);
      }
    }
    progress.verifying();
    ingest.commit();
    return fetched;
  }

  private static long copy(InputStream in, Ingest ingest, Progress progress) throws IOException {
    byte[] buffer = new byte[BUFFER_SIZE];
    long total = ingest.descriptor().size();
    long copied = 0;
    long lastReport = 0;
    int n;
    progress.downloading(ingest.offset(), total);
    while ((n = in.read(buffer)) >= 0) {
      if (Thread.interrupted()) {
        throw new java.io.InterruptedIOException("download of " + ingest.descriptor().digest() + " cancelled");
      }
      ingest.write(buffer, 0, n);
      copied += n;
      long now = System.nanoTime();
      if (now - lastReport > 100_000_000L) {
        progress.downloading(ingest.offset(), total);
        lastReport = now;
      }
    }
    progress.downloading(ingest.offset(), total);
    return copied;
  }
}
