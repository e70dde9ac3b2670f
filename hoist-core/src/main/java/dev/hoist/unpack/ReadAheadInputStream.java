package dev.hoist.unpack;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads its source on a thread of its own, a bounded number of chunks ahead of the reader. An
 * unpack puts decompression and DiffID hashing on one core and tar parsing and file writes on
 * another, which is what {@code tar -xzf} gets by running {@code gzip} as a separate process.
 * Memory stays bounded: at most {@link #CHUNKS} chunks of {@link #CHUNK_SIZE} bytes exist.
 *
 * <p>What the source throws is thrown by {@link #read} once the chunks before it are consumed.
 * {@link #close()} stops the reading thread (interrupting a read it is blocked in), waits for it,
 * then closes the source. One reader at a time.
 */
final class ReadAheadInputStream extends InputStream {
  static final int CHUNK_SIZE = 256 * 1024;
  static final int CHUNKS = 8;

  /** A filled chunk, the end of the source, or what stopped the reading. */
  private record Chunk(byte[] data, int length, Throwable failure) {
    static final Chunk END = new Chunk(null, 0, null);
  }

  private final InputStream source;
  private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(CHUNKS);
  private final BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(CHUNKS);
  private final Thread reader;
  private int allocated; // by the reading thread only
  private volatile boolean closed;

  private Chunk current;
  private int position;
  private boolean done;

  ReadAheadInputStream(InputStream source, String threadName) {
    this.source = source;
    this.reader = new Thread(this::readAhead, threadName);
    reader.setDaemon(true);
    reader.start();
  }

  private void readAhead() {
    try {
      boolean ended = false;
      while (!ended && !closed) {
        byte[] buffer = emptyBuffer();
        int length = 0;
        Throwable failure = null;
        try {
          for (int n; length < buffer.length; length += n) {
            n = source.read(buffer, length, buffer.length - length);
            if (n < 0) {
              ended = true;
              break;
            }
          }
        } catch (Throwable t) {
          failure = t;
        }
        if (length > 0) {
          filled.put(new Chunk(buffer, length, null)); // the bytes before a failure count too
        }
        if (failure != null) {
          filled.put(new Chunk(null, 0, failure));
          return;
        }
      }
      filled.put(Chunk.END);
    } catch (InterruptedException e) {
      // closed: nobody reads what is left
    }
  }

  private byte[] emptyBuffer() throws InterruptedException {
    byte[] buffer = empty.poll();
    if (buffer != null) {
      return buffer;
    }
    if (allocated < CHUNKS) {
      allocated++;
      return new byte[CHUNK_SIZE];
    }
    return empty.take();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (!advance()) {
      return -1;
    }
    int n = Math.min(len, current.length() - position);
    System.arraycopy(current.data(), position, b, off, n);
    position += n;
    return n;
  }

  /** Makes {@link #current} a chunk with bytes left; false at the end of the source. */
  private boolean advance() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    if (current != null && position < current.length()) {
      return true;
    }
    if (done) {
      return false;
    }
    if (current != null) {
      empty.offer(current.data()); // never full: at most CHUNKS buffers exist
      current = null;
    }
    Chunk next;
    try {
      next = filled.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading ahead");
    }
    if (next == Chunk.END) {
      done = true;
      return false;
    }
    if (next.failure() != null) {
      done = true;
      throw rethrow(next.failure());
    }
    current = next;
    position = 0;
    return true;
  }

  private static IOException rethrow(Throwable failure) {
    if (failure instanceof IOException e) {
      return e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    return new IOException(failure);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    reader.interrupt();
    boolean interrupted = false;
    while (reader.isAlive()) {
      try {
        reader.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    source.close();
  }
}
