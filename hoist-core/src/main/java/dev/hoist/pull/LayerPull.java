package dev.hoist.pull;

import dev.hoist.image.Descriptor;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.MirrorFallback;
import dev.hoist.registry.NotFoundException;
import dev.hoist.store.OciStore;
import dev.hoist.transfer.BlobDownloader;
import dev.hoist.transfer.Progress;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The concurrent part of one pull: every missing layer is fetched at once (the downloader bounds
 * how many transfer at a time). The first failure cancels the rest, and
 * {@link #run} returns only when no task is still writing. "Pull complete" is reported in layer
 * order, as docker reports it.
 */
final class LayerPull {
  record Outcome(long bytesDownloaded, long bytesReused) {}

  private final ImageReference ref;
  private final OciStore store;
  private final BlobDownloader downloader;
  private final ExecutorService executor;
  private final PullListener events;
  private final boolean foreignLayers;
  private final java.util.function.Consumer<MirrorFallback> fallbacks;
  private final AtomicLong downloaded = new AtomicLong();
  private final List<Descriptor> layers;
  private final List<Descriptor> allLayers;
  private final boolean[] done;
  private final boolean[] fetched;
  private LayerSink sink;
  private int nextToComplete;

  LayerPull(
      ImageReference ref, List<Descriptor> layers, OciStore store, BlobDownloader downloader,
      ExecutorService executor, PullListener events, boolean foreignLayers,
      java.util.function.Consumer<MirrorFallback> fallbacks) {
    this.foreignLayers = foreignLayers;
    this.fallbacks = fallbacks;
    this.ref = ref;
    this.store = store;
    this.downloader = downloader;
    this.executor = executor;
    this.events = events;
    this.layers = Puller.distinct(layers);
    this.allLayers = List.copyOf(layers);
    this.done = new boolean[layers.size()];
    this.fetched = new boolean[layers.size()];
  }

  /**
   * Receives each layer of the image in manifest order, once every layer below it is applied:
   * the unpacker. The layer's bytes come while it still downloads (following its ingest file) or
   * from the store if it is there already.
   */
  interface LayerSink {
    void apply(
        int index, Descriptor layer, java.io.InputStream blob, java.util.function.LongConsumer progress)
        throws IOException;
  }

  Outcome run() throws IOException {
    return run(null);
  }

  Outcome run(LayerSink sink) throws IOException {
    this.sink = sink;
    long reused = 0;
    if (sink == null && layers.stream().allMatch(layer -> store.contains(layer.digest()))) {
      // Docker's "image is up to date" path: no layer work, no layer lines.
      return new Outcome(0, layers.stream().mapToLong(Descriptor::size).sum());
    }
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Descriptor layer = layers.get(i);
      if (store.contains(layer.digest())) {
        reused += layer.size();
        events.layer(new LayerEvent(layer.digest(), LayerStatus.ALREADY_EXISTS, 0, layer.size()));
        markDone(i, false);
      } else {
        events.layer(new LayerEvent(layer.digest(), LayerStatus.PULLING_FS_LAYER, 0, layer.size()));
        missing.add(i);
      }
    }
    List<Task> tasks = new ArrayList<>();
    for (int i : missing) {
      tasks.add(() -> fetchLayer(i));
    }
    if (sink != null) {
      tasks.add(this::applyInOrder);
    }
    runAll(tasks);
    return new Outcome(downloaded.get(), reused);
  }

  private void fetchLayer(int index) throws IOException {
    Descriptor layer = layers.get(index);
    Progress progress = new Progress() {
      @Override
      public void waiting() {
        events.layer(new LayerEvent(layer.digest(), LayerStatus.WAITING, 0, layer.size()));
      }

      @Override
      public void downloading(long current, long total) {
        events.layer(new LayerEvent(layer.digest(), LayerStatus.DOWNLOADING, current, total));
      }

      @Override
      public void retrying(int seconds) {
        events.layer(new LayerEvent(layer.digest(), LayerStatus.RETRYING, 0, layer.size(), seconds));
      }

      @Override
      public void verifying() {
        events.layer(new LayerEvent(layer.digest(), LayerStatus.VERIFYING_CHECKSUM, layer.size(), layer.size()));
      }

      @Override
      public void fallback(MirrorFallback event) {
        fallbacks.accept(event);
      }
    };
    try {
      downloaded.addAndGet(fetch(layer, progress));
    } catch (DigestMismatchException e) {
      throw new DigestMismatchException(
          "filesystem layer verification failed for digest " + layer.digest() + ": " + e.getMessage(),
          layer.digest());
    }
    events.layer(new LayerEvent(layer.digest(), LayerStatus.DOWNLOAD_COMPLETE, layer.size(), layer.size()));
    markDone(index, true);
  }

  /**
   * Fetches a layer from the registry; a foreign layer the registry does not hold comes from its
   * URLs, if the request allows that.
   */
  private long fetch(Descriptor layer, Progress progress) throws IOException {
    try {
      return downloader.fetch(ref, layer, progress);
    } catch (NotFoundException e) {
      if (layer.urls().isEmpty()) {
        throw e;
      }
      if (!foreignLayers) {
        throw new NotFoundException(
            "layer " + layer.digest() + " of " + ref.familiarString() + " is not in the registry;"
                + " it is a foreign layer served from " + String.join(", ", layer.urls())
                + " (allow fetching it from there with --allow-foreign-layers)",
            e.registry(), e.errors());
      }
      return downloader.fetchFromUrls(ref, layer, progress);
    }
  }

  /** Records a finished layer and, without a sink, reports "Pull complete" in layer order. */
  private synchronized void markDone(int index, boolean fetched) {
    done[index] = true;
    this.fetched[index] = fetched;
    notifyAll();
    if (sink != null) {
      return; // the sink's thread reports completion once a layer is extracted
    }
    while (nextToComplete < done.length && done[nextToComplete]) {
      if (this.fetched[nextToComplete]) {
        Descriptor layer = layers.get(nextToComplete);
        events.layer(new LayerEvent(layer.digest(), LayerStatus.PULL_COMPLETE, layer.size(), layer.size()));
      }
      nextToComplete++;
    }
  }

  /** Hands every layer of the manifest to the sink in order, each once it is in the store. */
  private void applyInOrder() throws IOException {
    java.util.Set<dev.hoist.image.Digest> reported = new java.util.HashSet<>();
    for (int i = 0; i < allLayers.size(); i++) {
      Descriptor layer = allLayers.get(i);
      try (java.io.InputStream blob = downloader.openFollowing(layer)) {
        sink.apply(i, layer, blob, current -> events.layer(
            new LayerEvent(layer.digest(), LayerStatus.EXTRACTING, current, layer.size())));
      }
      int distinct = awaitDone(layer); // the download verified the digest before "complete"
      boolean wasFetched;
      synchronized (this) {
        wasFetched = fetched[distinct];
      }
      if (wasFetched && reported.add(layer.digest())) {
        events.layer(new LayerEvent(layer.digest(), LayerStatus.PULL_COMPLETE, layer.size(), layer.size()));
      }
    }
  }

  private synchronized int awaitDone(Descriptor layer) throws IOException {
    int index = 0;
    while (!layers.get(index).digest().equals(layer.digest())) {
      index++; // every manifest layer is among the distinct ones
    }
    while (!done[index]) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("unpack of " + ref.familiarString() + " cancelled");
      }
    }
    return index;
  }

  private interface Task {
    void run() throws IOException;
  }

  private void runAll(List<Task> tasks) throws IOException {
    CountDownLatch finished = new CountDownLatch(tasks.size());
    List<Future<?>> futures = new ArrayList<>();
    for (Task task : tasks) {
      futures.add(executor.submit(() -> {
        try {
          task.run();
          return null;
        } finally {
          finished.countDown();
        }
      }));
    }
    IOException failure = null;
    try {
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          failure = asIOException(e.getCause());
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = new InterruptedIOException("pull of " + ref.familiarString() + " cancelled");
    }
    if (failure != null) {
      futures.forEach(f -> f.cancel(true));
      awaitQuietly(finished);
      throw failure;
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static IOException asIOException(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IOException(t);
  }
}
