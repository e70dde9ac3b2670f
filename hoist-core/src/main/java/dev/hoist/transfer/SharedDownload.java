package dev.hoist.transfer;

import dev.hoist.registry.MirrorFallback;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * One download that several pulls wait for: the pull that started it reports progress through
 * {@link #fanOut}, which forwards every event to the pulls that joined since, as docker's transfer
 * manager lets a second pull watch the first one's transfer.
 */
final class SharedDownload {
  private final List<Progress> watchers = new CopyOnWriteArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean succeeded;

  /** The owner's progress, forwarded to every watcher as well. */
  Progress fanOut(Progress owner) {
    watchers.add(owner);
    return new Progress() {
      @Override
      public void waiting() {
        watchers.forEach(Progress::waiting);
      }

      @Override
      public void downloading(long current, long total) {
        watchers.forEach(w -> w.downloading(current, total));
      }

      @Override
      public void retrying(int seconds) {
        watchers.forEach(w -> w.retrying(seconds));
      }

      @Override
      public void verifying() {
        watchers.forEach(Progress::verifying);
      }

      @Override
      public void fallback(MirrorFallback event) {
        watchers.forEach(w -> w.fallback(event));
      }
    };
  }

  void succeed() {
    succeeded = true;
    done.countDown();
  }

  void fail(Throwable cause) {
    done.countDown();
  }

  /** Watches until the download ends; true when it committed the blob. */
  boolean await(Progress progress) throws InterruptedIOException {
    watchers.add(progress);
    try {
      done.await();
      return succeeded;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("cancelled while waiting for another pull's download");
    } finally {
      watchers.remove(progress);
    }
  }
}
