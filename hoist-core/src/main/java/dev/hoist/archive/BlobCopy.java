package dev.hoist.archive;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.LayerCompression;
import dev.hoist.store.Ingest;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreWriteException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Copies blobs from an archive into the store, each read once: the bytes go to a verified
 * {@link Ingest} (digest and size), and for a layer the same bytes are decompressed and hashed for
 * the DiffID on the way. A blob that fails either check is not committed and its partial file is
 * removed, so a failed load leaves nothing half-written behind. A blob the store already holds is
 * still read from the archive and checked the same way, without being written, so an archive
 * that lies about its content fails whatever the store holds.
 */
final class BlobCopy {
  private static final int BUFFER = 1 << 16;

  private final OciStore store;
  private final ArchiveEntries entries;

  BlobCopy(OciStore store, ArchiveEntries entries) {
    this.store = store;
    this.entries = entries;
  }

  /** What a layer must decompress to. */
  record Layer(LayerCompression compression, Digest diffId) {}

  /** Where the bytes read go: the ingest, or only a hasher when the store holds the blob. */
  private interface Sink {
    void write(byte[] bytes, int off, int len) throws IOException;
  }

  /**
   * Copies the entry {@code name} as the blob {@code blob} ({@code what} says which, for errors);
   * for a {@code layer}, also checks its DiffID. Returns whether the blob was written now (false
   * when the store already held it).
   */
  boolean copy(Descriptor blob, String name, String what, Optional<Layer> layer) throws IOException {
    TarArchiveEntry entry = entries.require(name, what);
    if (entry.getSize() != blob.size()) {
      throw new DigestMismatchException("archive entry " + name + " is " + entry.getSize()
          + " bytes, but its descriptor says " + blob.size() + " (" + blob.digest() + ")",
          blob.digest());
    }
    try (Ingest ingest = store.ingest(blob); InputStream in = entries.open(entry)) {
      if (ingest.isComplete()) {
        verify(blob, in, name, what, layer);
        return false;
      }
      boolean committed = false;
      ingest.truncate(); // the whole entry is here: never resume someone else's partial
      try {
        long read = read(in, ingest::write, blob, name, what, layer);
        truncated(read, blob, name);
        ingest.commit();
        committed = true;
      } catch (DigestMismatchException e) {
        throw mismatch(e, blob, name, what, layer);
      } finally {
        if (!committed) {
          ingest.discard();
        }
      }
      return true;
    }
  }

  /** Reads a blob the store holds already from the archive, checking it as a copy would. */
  private void verify(Descriptor blob, InputStream in, String name, String what, Optional<Layer> layer)
      throws IOException {
    MessageDigest hasher = blob.digest().newHasher();
    long read = read(in, hasher::update, blob, name, what, layer);
    truncated(read, blob, name);
    Digest actual = Digest.of(blob.digest().algorithm(), hasher.digest());
    if (!actual.equals(blob.digest())) {
      throw mismatch(new DigestMismatchException("digest mismatch: got " + actual + ", want "
          + blob.digest() + " after " + read + " bytes", blob.digest()), blob, name, what, layer);
    }
  }

  /** Reads the entry to its end into {@code sink}, checking the DiffID of a layer on the way. */
  private static long read(InputStream in, Sink sink, Descriptor blob, String name, String what,
      Optional<Layer> layer) throws IOException {
    Tee tee = new Tee(in, sink);
    try {
      if (layer.isPresent() && !digestIsDiffId(blob, layer.get())) {
        // Closed for zstd's native memory; the entry stays open, as the Tee does not pass close on.
        try (InputStream plain = layer.get().compression().decompress(tee, BUFFER)) {
          checkDiffId(plain, layer.get(), name, what);
        }
      }
      tee.transferTo(OutputStream.nullOutputStream()); // what follows a compressed stream
      return tee.count;
    } catch (StoreWriteException | DigestMismatchException | InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidArchiveException("archive entry " + name + " is truncated or unreadable: "
          + ArchiveEntries.describe(e), e);
    }
  }

  private static void truncated(long read, Descriptor blob, String name) throws InvalidArchiveException {
    if (read != blob.size()) {
      throw new InvalidArchiveException("archive entry " + name + " is truncated: "
          + read + " of " + blob.size() + " bytes");
    }
  }

  /**
   * An uncompressed layer stored under its DiffID: the digest check is the DiffID check. One whose
   * descriptor names another digest is still hashed as it is, or a lying config would go unseen.
   */
  private static boolean digestIsDiffId(Descriptor blob, Layer layer) {
    return layer.compression() == LayerCompression.NONE && blob.digest().equals(layer.diffId());
  }

  /** The ingest's mismatch, naming the entry, and worded as a DiffID mismatch for a plain layer. */
  private static DigestMismatchException mismatch(
      DigestMismatchException e, Descriptor blob, String name, String what, Optional<Layer> layer) {
    String message = e.getMessage();
    if (layer.isPresent() && digestIsDiffId(blob, layer.get()) && message.startsWith("digest mismatch: ")) {
      return new DigestMismatchException("archive entry " + name + ": DiffID mismatch for " + what
          + ": " + message.substring("digest mismatch: ".length())
          + " (the layer does not match the image config)", e.expected());
    }
    return message.startsWith("archive entry ")
        ? e
        : new DigestMismatchException("archive entry " + name + ": " + message, e.expected());
  }

  private static void checkDiffId(InputStream plain, Layer layer, String name, String what)
      throws IOException {
    MessageDigest hasher = layer.diffId().newHasher();
    byte[] buffer = new byte[BUFFER];
    int n;
    while ((n = plain.read(buffer)) > 0) {
      hasher.update(buffer, 0, n);
    }
    Digest actual = Digest.of(layer.diffId().algorithm(), hasher.digest());
    if (!actual.equals(layer.diffId())) {
      throw new DigestMismatchException("archive entry " + name + ": DiffID mismatch for "
          + what + ": got " + actual + ", want " + layer.diffId()
          + " (the layer does not match the image config)", layer.diffId());
    }
  }

  /**
   * Passes every byte read on to the sink, so one read of the archive feeds both hashes. Closing it
   * leaves the entry's stream open: its owner reads what follows a compressed stream, then closes it.
   */
  private static final class Tee extends FilterInputStream {
    private final Sink sink;
    long count;

    Tee(InputStream in, Sink sink) {
      super(in);
      this.sink = sink;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        sink.write(b, off, n);
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(n, 1))];
      long skipped = 0;
      while (skipped < n) {
        int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
        if (r <= 0) {
          break;
        }
        skipped += r;
      }
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() {}
  }
}
