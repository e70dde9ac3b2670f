package dev.hoist.store;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * One blob being written into the store: bytes are hashed and counted as they are written, and
 * the blob becomes visible only through {@link #commit()}, after its size and digest verified.
 *
 * <p>An ingest holds the blob's lock until it is closed, so one blob is written by one writer at
 * a time across threads and processes. Closing without committing keeps the partial file, so a
 * later ingest of the same blob can resume at {@link #offset()}; {@link #discard()} removes it.
 * Not thread-safe: one thread writes.
 */
public final class Ingest implements AutoCloseable {
  private final OciStore store;
  private final Descriptor expected;
  private final Path partial;
  private final StoreLock lock;
  private final MessageDigest hasher;
  private FileChannel channel;
  private Flusher flusher;
  private long offset;
  private boolean committed;

  Ingest(OciStore store, Descriptor expected, Path partial, StoreLock lock) throws IOException {
    this.store = store;
    this.expected = expected;
    this.partial = partial;
    this.lock = lock;
    this.hasher = expected.digest().newHasher();
    this.committed = store.contains(expected.digest());
    if (!committed) {
      openPartial();
    }
  }

  private void openPartial() throws IOException {
    channel =
        FileChannel.open(
            partial, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    flusher = new Flusher(channel);
    long existing = channel.size();
    if (existing > expected.size()) {
      truncate();
      return;
    }
    // Re-hash what an earlier attempt left, so the final digest covers the whole blob.
    try (InputStream in = Files.newInputStream(partial)) {
      byte[] buffer = new byte[1 << 16];
      long left = existing;
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        hasher.update(buffer, 0, n);
        left -= n;
      }
    }
    offset = existing;
    channel.position(offset);
  }

  /** True when the blob was already in the store: nothing needs to be written. */
  public boolean isComplete() {
    return committed;
  }

  /** The number of bytes already written (resumed from an earlier attempt, or written now). */
  public long offset() {
    return offset;
  }

  /**
   * The file the bytes go to until the commit moves it into {@code blobs/}; readers that follow a
   * download may read it up to {@link #offset()}.
   */
  public Path partialPath() {
    return partial;
  }

  /** The descriptor this ingest verifies against. */
  public Descriptor descriptor() {
    return expected;
  }

  /** Drops everything written so far and starts again from byte zero. */
  public void truncate() throws IOException {
    channel.truncate(0);
    channel.position(0);
    hasher.reset();
    offset = 0;
  }

  /**
   * Appends bytes. Fails as soon as more bytes arrive than the descriptor's size, so a hostile
   * registry cannot fill the disk.
   */
  public void write(byte[] bytes, int off, int len) throws IOException {
    if (offset + len > expected.size()) {
      throw new DigestMismatchException(
          "blob "
              + expected.digest()
              + " is larger than its descriptor's size of "
              + expected.size()
              + " bytes",
          expected.digest());
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, off, len);
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (java.nio.channels.ClosedByInterruptException e) {
      throw new java.io.InterruptedIOException("interrupted while writing " + expected.digest());
    } catch (IOException e) {
      throw new StoreWriteException(store.root(), e);
    }
    hasher.update(bytes, off, len);
    offset += len;
    flusher.wrote(len);
  }

  /**
   * Verifies size and digest, then atomically moves the blob into place. If the blob appeared in
   * the store meanwhile, the partial is dropped and this counts as success.
   *
   * @throws DigestMismatchException if the bytes are not the expected blob; the partial is removed
   */
  public void commit() throws IOException {
    if (committed) {
      return;
    }
    if (offset != expected.size()) {
      throw new DigestMismatchException(
          "blob " + expected.digest() + " is " + offset + " bytes, expected " + expected.size(),
          expected.digest());
    }
    Digest actual = Digest.of(expected.digest().algorithm(), hasher.digest());
    if (!actual.equals(expected.digest())) {
      discard();
      throw new DigestMismatchException(
          "digest mismatch: got " + actual + ", want " + expected.digest() + " after " + offset
              + " bytes",
          expected.digest());
    }
    try {
      flusher.finish();
      channel.close();
      store.publish(partial, expected.digest());
    } catch (IOException e) {
      throw new StoreWriteException(store.root(), e);
    }
    committed = true;
  }

  /** Removes the partial file; the next ingest of this blob starts from zero. */
  public void discard() throws IOException {
    if (channel != null && channel.isOpen()) {
      channel.close();
    }
    Files.deleteIfExists(partial);
    offset = 0;
  }

  /** Releases the blob's lock. An uncommitted partial stays on disk for a later resume. */
  @Override
  public void close() throws IOException {
    try {
      if (channel != null && channel.isOpen()) {
        channel.close();
      }
    } finally {
      lock.close();
    }
  }
}
