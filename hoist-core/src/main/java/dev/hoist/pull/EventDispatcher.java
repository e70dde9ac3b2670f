package dev.hoist.pull;

import dev.hoist.reference.ImageReference;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a pull's events to its listener on a thread of their own, so a slow listener never
 * slows a download and a throwing one never breaks it (the exception is logged and dropped).
 *
 * <p>Changes of state are all delivered, in order. Byte counts are coalesced: while a layer's
 * last progress event still waits for the listener, a newer one takes its place in the queue, so
 * the queue stays small whatever the listener's speed. {@link #drain()} waits until the listener
 * has seen everything, which the puller does before it returns.
 */
final class EventDispatcher implements PullListener {
  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

  private final PullListener listener;
  private final Executor executor;
  private final Deque<Runnable> queue = new ArrayDeque<>();
  private final Map<String, Progress> pendingProgress = new HashMap<>();
  private boolean running;

  /** A progress event that may still be replaced by a newer one for the same layer. */
  private final class Progress implements Runnable {
    LayerEvent event;

    @Override
    public void run() {
      LayerEvent e;
      synchronized (EventDispatcher.this) {
        e = event;
        pendingProgress.remove(e.id(), this);
      }
      listener.layer(e);
    }
  }

  EventDispatcher(PullListener listener, Executor executor) {
    this.listener = listener;
    this.executor = executor;
  }

  @Override
  public void pullStarted(ImageReference reference, String tagOrDigest) {
    enqueue(() -> listener.pullStarted(reference, tagOrDigest));
  }

  @Override
  public void layer(LayerEvent event) {
    boolean progress = event.status() == LayerStatus.DOWNLOADING || event.status() == LayerStatus.EXTRACTING;
    if (!progress) {
      enqueue(() -> listener.layer(event));
      return;
    }
    synchronized (this) {
      Progress pending = pendingProgress.get(event.id());
      if (pending != null) {
        pending.event = event;
        return;
      }
      Progress fresh = new Progress();
      fresh.event = event;
      pendingProgress.put(event.id(), fresh);
      enqueueLocked(fresh);
    }
  }

  @Override
  public void warning(String message) {
    enqueue(() -> listener.warning(message));
  }

  @Override
  public void pullFinished(PullResult result) {
    enqueue(() -> listener.pullFinished(result));
  }

  private synchronized void enqueue(Runnable event) {
    enqueueLocked(event);
  }

  private void enqueueLocked(Runnable event) {
    queue.add(event);
    if (!running) {
      running = true;
      try {
        executor.execute(this::deliver);
      } catch (RuntimeException e) {
        running = false; // the executor is shut down: deliver on the caller's thread instead
        deliver();
      }
    }
  }

  private void deliver() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = queue.poll();
        if (next == null) {
          running = false;
          notifyAll();
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        log.warn("pull listener failed; ignoring it", e);
      }
    }
  }

  /** Waits until the listener has received every event so far. */
  synchronized void drain() {
    boolean interrupted = false;
    while (running || !queue.isEmpty()) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
