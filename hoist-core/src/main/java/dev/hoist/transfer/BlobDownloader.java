package dev.hoist.transfer;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.BlobStream;
import dev.hoist.registry.RegistryClient;
import dev.hoist.registry.RetryPolicy;
import dev.hoist.store.Ingest;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreWriteException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.LongConsumer;

/**
 * Moves blobs from a registry into the store, each byte once: read from the connection, written
 * to the blob's ingest file and hashed in the same pass, committed only after the digest verified.
 *
 * <ul>
 *   <li><b>Retries.</b> A failed attempt that is worth retrying (see {@link RetryPolicy}) is
 *       repeated after a back-off, resuming with a range request from the bytes already in the
 *       ingest file. A partial left by a killed process is resumed the same way. If a resumed blob
 *       fails verification it is fetched once more from zero; a fresh one that fails is not.
 *   <li><b>Sharing.</b> A blob wanted by several pulls of this downloader at once is downloaded
 *       once; the others wait for it and see its progress. Across processes, the store's per-blob
 *       lock makes the second process wait and then find the blob committed.
 *   <li><b>Limits.</b> At most {@code maxConcurrent} downloads run at once across every pull
 *       sharing this downloader, as docker's {@code max-concurrent-downloads}.
 * </ul>
 *
 * Thread-safe.
 */
public final class BlobDownloader {
  private final RegistryClient client;
  private final OciStore store;
  private final Semaphore slots;
  private final RetryPolicy retry;
  private final ConcurrentHashMap<Digest, SharedDownload> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Digest, LiveBlob> live = new ConcurrentHashMap<>();
  private final Object liveChanged = new Object();
  private long liveChanges; // guarded by liveChanged: counts starts and ends of downloads

  public BlobDownloader(RegistryClient client, OciStore store, int maxConcurrent) {
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent < 1: " + maxConcurrent);
    }
    this.client = client;
    this.store = store;
    this.slots = new Semaphore(maxConcurrent, true);
    this.retry = client.retryPolicy();
  }

  /**
   * Makes sure the blob is in the store, downloading what is missing.
   *
   * @return the number of bytes this call fetched from the network (0 when the store had the
   *     blob, or another pull fetched it)
   * @throws DigestMismatchException when the registry's bytes are not the blob asked for
   */
  public long fetch(ImageReference repository, Descriptor blob, Progress progress)
      throws IOException {
    return share(blob, progress, (offset, current) ->
        client.reporting(current::fallback).openBlob(repository, blob.digest(), offset));
  }

  /**
   * Makes sure a foreign (non-distributable) layer is in the store, fetching it from the first of
   * its descriptor's {@code urls} that answers; verified like any other blob.
   */
  public long fetchFromUrls(ImageReference repository, Descriptor blob, Progress progress)
      throws IOException {
    return share(blob, progress, (offset, current) -> {
      IOException last = null;
      for (String url : blob.urls()) {
        try {
          return client.openUrl(repository, URI.create(url));
        } catch (IOException e) {
          last = e;
        } catch (IllegalArgumentException e) {
          last = new IOException("layer " + blob.digest() + " has an invalid URL", e);
        }
      }
      throw last != null ? last : new IOException("layer " + blob.digest() + " has no URLs");
    });
  }

  /** Joins a download of the same blob already running in this JVM, or runs it. */
  private long share(Descriptor blob, Progress progress, Source source) throws IOException {
    while (true) {
      if (store.contains(blob.digest())) {
        return 0;
      }
      SharedDownload mine = new SharedDownload();
      SharedDownload running = inFlight.putIfAbsent(blob.digest(), mine);
      if (running == null) {
        try {
          long fetched = download(blob, mine.fanOut(progress), source);
          mine.succeed();
          return fetched;
        } catch (IOException | RuntimeException | Error e) {
          mine.fail(e);
          throw e;
        } finally {
          inFlight.remove(blob.digest(), mine);
        }
      }
      if (running.await(progress)) {
        return 0;
      }
      // The other pull's download failed (or was cancelled); try it ourselves.
    }
  }

  private long download(Descriptor blob, Progress progress, Source source) throws IOException {
    acquireSlot(blob, progress);
    try (Ingest ingest = store.ingest(blob)) {
      if (ingest.isComplete()) {
        liveChanged(); // another process committed it while we waited for the blob's lock
        return 0;
      }
      LiveBlob followed = new LiveBlob(ingest.partialPath(), ingest.offset());
      live.put(blob.digest(), followed);
      liveChanged();
      try {
        long fetched = attempts(ingest, progress, source, followed::wrote);
        followed.committed();
        return fetched;
      } catch (IOException | RuntimeException e) {
        followed.failed(String.valueOf(e.getMessage()));
        throw e;
      } finally {
        live.remove(blob.digest(), followed);
        liveChanged();
      }
    } finally {
      slots.release();
    }
  }

  /**
   * Opens a blob for reading while it may still be downloading: from the store once committed,
   * else from its ingest file, following the download as it writes (see
   * {@link FollowingInputStream}). Waits for the download to start if it has not yet.
   *
   * @throws IOException if the download fails or restarts while being followed
   */
  public java.io.InputStream openFollowing(Descriptor blob) throws IOException {
    while (true) {
      long seen;
      synchronized (liveChanged) {
        seen = liveChanges;
      }
      if (store.contains(blob.digest())) {
        return store.open(blob.digest());
      }
      LiveBlob followed = live.get(blob.digest());
      if (followed != null) {
        try {
          return new FollowingInputStream(followed, blob.size());
        } catch (java.nio.file.NoSuchFileException e) {
          continue; // committed (or discarded) between the two looks: look again
        }
      }
      synchronized (liveChanged) {
        try {
          if (liveChanges == seen) { // nothing started or ended since the looks above
            liveChanged.wait(100); // bounded: another process may commit the blob unannounced
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for " + blob.digest());
        }
      }
    }
  }

  /** Wakes readers waiting in {@link #openFollowing} for a download to start or end. */
  private void liveChanged() {
    synchronized (liveChanged) {
      liveChanges++;
      liveChanged.notifyAll();
    }
  }

  /** Transfers until the blob committed, retrying what is worth retrying, resuming each time. */
  private long attempts(Ingest ingest, Progress progress, Source source, LongConsumer written)
      throws IOException {
    Descriptor blob = ingest.descriptor();
    Counter fetched = new Counter();
    for (int attempt = 1; ; attempt++) {
      boolean resumed = ingest.offset() > 0;
      try {
        transfer(source, ingest, progress, fetched, written);
        return fetched.bytes;
      } catch (DigestMismatchException e) {
        if (!resumed || attempt >= retry.maxAttempts()) {
          throw e;
        }
        ingest.truncate(); // the partial we resumed from may have been bad, not the registry
      } catch (StoreWriteException e) {
        ingest.discard(); // give the space back: a full disk is not fixed by keeping a partial
        throw e;
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        if (!retry.isRetryable(e)) {
          throw e;
        }
        if (attempt >= retry.maxAttempts()) {
          throw new IOException("download failed after attempts=" + attempt + ": "
              + e.getMessage() + " (blob " + blob.digest() + ")", e);
        }
        waitToRetry(retry.delay(attempt, e), progress);
      }
    }
  }

  private void acquireSlot(Descriptor blob, Progress progress) throws InterruptedIOException {
    if (!slots.tryAcquire()) {
      progress.waiting();
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("download of " + blob.digest() + " cancelled");
      }
    }
  }

  /** Counts down to the next attempt in whole seconds, as docker shows "Retrying in N seconds". */
  private static void waitToRetry(Duration delay, Progress progress) throws InterruptedIOException {
    long left = delay.toMillis();
    try {
      while (left > 0) {
        progress.retrying((int) ((left + 999) / 1000));
        long step = Math.min(left, 1000);
        Thread.sleep(step);
        left -= step;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("download cancelled during retry delay");
    }
  }

  private static void transfer(
      Source source, Ingest ingest, Progress progress, Counter fetched, LongConsumer written)
      throws IOException {
    Descriptor blob = ingest.descriptor();
    if (ingest.offset() < blob.size()) {
      try (BlobStream stream = source.open(ingest.offset(), progress)) {
        if (stream.offset() != ingest.offset()) {
          ingest.truncate(); // the server sent the whole blob, not the range asked for
        }
        Copier.copy(stream.body(), ingest, progress, fetched, written);
      }
      if (ingest.offset() < blob.size()) {
        throw new IOException("connection closed after " + ingest.offset() + " of " + blob.size()
            + " bytes of " + blob.digest());
      }
    }
    progress.verifying();
    ingest.commit();
  }

  /**
   * Where a blob's bytes come from, starting at an offset the source may ignore; fallbacks from a
   * mirror go to {@code progress}.
   */
  interface Source {
    BlobStream open(long offset, Progress progress) throws IOException;
  }

  /** Bytes fetched across the attempts of one download. */
  static final class Counter {
    long bytes;
  }
}
