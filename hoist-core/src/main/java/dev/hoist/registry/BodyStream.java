package dev.hoist.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as an {@link InputStream} that gives up when the server goes quiet: a
 * read that waits longer than the stall time-out for the next bytes fails with
 * {@link StalledException}, so a stalled connection becomes a retry, never a hang. The JDK's own
 * body stream has no such limit.
 *
 * <p>Bytes are requested from the connection a few buffer lists ahead of the reader, so memory
 * stays bounded whatever the body's size. One thread reads.
 */
final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
  private static final Object END = new Object();
  /**
   * Buffer lists asked for ahead of the reader: enough that the connection never waits for the
   * reading thread to wake (one at a time costs a thread hand-off per 16 KiB and made loopback
   * pulls ten times slower), few enough to bound memory to about half a MiB.
   */
  private static final int AHEAD = 32;

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD + 2);
  private final long stallNanos;
  private final String what;
  private volatile Flow.Subscription subscription;
  private Iterator<ByteBuffer> current = List.<ByteBuffer>of().iterator();
  private ByteBuffer buffer;
  private boolean ended;
  private volatile boolean closed;

  BodyStream(Duration stallTimeout, String what) {
    this.stallNanos = stallTimeout.toNanos();
    this.what = what;
  }

  static HttpResponse.BodyHandler<InputStream> handler(Duration stallTimeout, String what) {
    return info -> new BodyStream(stallTimeout, what);
  }

  @Override
  public CompletionStage<InputStream> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (closed) {
      s.cancel();
    } else {
      s.request(AHEAD);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.offer(item); // never full: at most AHEAD items are outstanding
  }

  @Override
  public void onError(Throwable error) {
    queue.offer(error);
  }

  @Override
  public void onComplete() {
    queue.offer(END);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /**
   * Reads what has arrived, up to {@code len}: blocks only for the first bytes, then takes every
   * buffer already queued, so callers write in large chunks rather than one 16 KiB buffer each.
   */
  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!ensureBuffer()) {
      return -1;
    }
    int n = 0;
    while (true) {
      int chunk = Math.min(len - n, buffer.remaining());
      buffer.get(b, off + n, chunk);
      n += chunk;
      if (n == len || !nextBufferWithoutWaiting()) {
        return n;
      }
    }
  }

  /** Moves to the next buffer if one is already here; never blocks. */
  @SuppressWarnings("unchecked")
  private boolean nextBufferWithoutWaiting() {
    while (!buffer.hasRemaining()) {
      if (current.hasNext()) {
        buffer = current.next();
        continue;
      }
      Object next = queue.peek();
      if (!(next instanceof List)) {
        return false; // nothing yet, or the end or an error: the next read() meets it
      }
      queue.poll();
      current = ((List<ByteBuffer>) next).iterator();
      subscription.request(1);
    }
    return true;
  }

  @Override
  public int available() {
    return buffer == null ? 0 : buffer.remaining();
  }

  /** Makes {@link #buffer} non-empty; false at the end of the body. */
  @SuppressWarnings("unchecked")
  private boolean ensureBuffer() throws IOException {
    while (buffer == null || !buffer.hasRemaining()) {
      if (current.hasNext()) {
        buffer = current.next();
        continue;
      }
      if (ended) {
        return false;
      }
      if (closed) {
        throw new IOException("body of " + what + " was closed");
      }
      Object next;
      try {
        next = queue.poll(stallNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new java.io.InterruptedIOException("interrupted while reading " + what);
      }
      if (next == null) {
        close();
        throw new StalledException(
            "no data for " + Duration.ofNanos(stallNanos).toSeconds() + " s while reading " + what);
      }
      if (next == END) {
        ended = true;
      } else if (next instanceof Throwable t) {
        ended = true;
        throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
      } else {
        current = ((List<ByteBuffer>) next).iterator();
        subscription.request(1);
      }
    }
    return true;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }

  /** The server sent nothing for longer than the stall time-out. */
  static final class StalledException extends IOException {
    StalledException(String message) {
      super(message);
    }
  }
}
